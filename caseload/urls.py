from django.urls import path

from caseload import views

urlpatterns = [
    path("cases/", views.my_cases, name="my_cases"),
    path("supervision/<int:pk>/cases/", views.session_cases, name="session_cases"),
]

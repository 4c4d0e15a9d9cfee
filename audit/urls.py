from django.urls import path

from audit import views

urlpatterns = [
    path("audit/people/<int:pk>/", views.person_audit, name="person_audit"),
]

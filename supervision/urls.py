from django.urls import path

from supervision import views

urlpatterns = [
    path("supervision/", views.supervision_home, name="supervision"),
    path("supervision/new/", views.session_create, name="session_create"),
    path("supervision/<int:pk>/", views.session_detail, name="session_detail"),
    path("supervision/<int:pk>/edit/", views.session_edit, name="session_edit"),
]

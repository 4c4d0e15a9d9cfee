from django.urls import path

from dashboards import views

urlpatterns = [
    path("fidelity/", views.fidelity, name="fidelity"),
    path("fidelity/evaluation-export/", views.evaluation_download, name="evaluation_export"),
]

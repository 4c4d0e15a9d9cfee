from django.urls import path

from dashboards import views

urlpatterns = [
    path("rollout/", views.rollout, name="rollout"),
    path("fidelity/", views.fidelity, name="fidelity"),
    path("fidelity/practice/", views.fidelity_practice, name="fidelity_practice"),
    path("fidelity/follow-up/", views.fidelity_follow_up, name="fidelity_follow_up"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("fidelity/evaluation-export/", views.evaluation_download, name="evaluation_export"),
]

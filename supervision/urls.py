from django.urls import path

from supervision import views

urlpatterns = [
    path("supervision/", views.supervision_home, name="supervision"),
    path("reviews/new/", views.review_start, name="review_start"),
    path("supervision/new/", views.session_create, name="session_create"),
    path("supervision/took-place/", views.session_took_place, name="session_took_place"),
    path("supervision/<int:pk>/", views.session_detail, name="session_detail"),
    path("supervision/<int:pk>/status/", views.session_status, name="session_status"),
    path("supervision/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("supervision/<int:pk>/record/", views.session_record, name="session_record"),
    path("supervision/<int:pk>/record/cases/", views.session_case_add, name="session_case_add"),
    path(
        "supervision/<int:pk>/record/worked-on/", views.session_focus_add, name="session_focus_add"
    ),
    path("supervision/<int:pk>/record/notes/", views.session_note_add, name="session_note_add"),
    path(
        "supervision/<int:pk>/record/actions/", views.session_action_add, name="session_action_add"
    ),
    path(
        "supervision/<int:pk>/record/actions/close/",
        views.session_action_close,
        name="session_action_close",
    ),
]

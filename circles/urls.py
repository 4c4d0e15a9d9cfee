from django.urls import path

from circles import views

urlpatterns = [
    path("circles/", views.circle_list, name="circle_list"),
    path("circles/new/", views.circle_create, name="circle_create"),
    path("circles/unplaced/", views.unplaced, name="circles_unplaced"),
    path("circles/<int:pk>/", views.circle_detail, name="circle_detail"),
    path("circles/<int:pk>/edit/", views.circle_edit, name="circle_edit"),
    path("circles/<int:pk>/members/", views.circle_members_add, name="circle_members_add"),
    path("circles/<int:pk>/members/add/", views.circle_member_add, name="circle_member_add"),
    path(
        "circles/<int:pk>/members/remove/", views.circle_member_remove, name="circle_member_remove"
    ),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path(
        "meetings/<int:pk>/attendance/",
        views.meeting_attendance_mark,
        name="meeting_attendance_mark",
    ),
    path("meetings/<int:pk>/record/", views.meeting_record_save, name="meeting_record_save"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path(
        "meetings/<int:pk>/apologies/", views.meeting_apologies_send, name="meeting_apologies_send"
    ),
    path(
        "meetings/<int:pk>/apologies/withdraw/",
        views.meeting_apologies_withdraw,
        name="meeting_apologies_withdraw",
    ),
    path("meetings/<int:pk>/change/", views.meeting_change, name="meeting_change"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/reinstate/", views.meeting_reinstate, name="meeting_reinstate"),
]

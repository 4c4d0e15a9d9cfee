from django.urls import path

from training import views

urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("roster/import/", views.csv_import, {"kind": "roster"}, name="roster_import"),
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/import/", views.csv_import, {"kind": "training"}, name="training_import"),
    path("imports/<int:pk>/", views.import_run, name="import_run"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path(
        "cohorts/<int:pk>/register/",
        views.cohort_register_save_all,
        name="cohort_register_save_all",
    ),
    path(
        "cohorts/<int:pk>/register/mark/", views.cohort_register_mark, name="cohort_register_mark"
    ),
    path(
        "cohorts/<int:pk>/register/add/",
        views.cohort_register_person_add,
        name="cohort_register_person_add",
    ),
    path("cohorts/to-be-trained/", views.to_be_trained, name="to_be_trained"),
    path("places/<int:pk>/confirm/", views.place_confirm, name="place_confirm"),
    path("places/<int:pk>/accept/", views.place_accept, name="place_accept"),
    path("places/<int:pk>/withdraw/", views.place_withdraw, name="place_withdraw"),
    path("places/<int:pk>/move/", views.place_move, name="place_move"),
    path("places/<int:pk>/move/approve/", views.place_move_approve, name="place_move_approve"),
    path("places/<int:pk>/move/refuse/", views.place_move_refuse, name="place_move_refuse"),
]

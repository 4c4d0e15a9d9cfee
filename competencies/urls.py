from django.urls import path

from competencies import views

urlpatterns = [
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/rate/", views.review_rate, name="review_rate"),
    path("reviews/<int:pk>/ratings/", views.review_ratings_save, name="review_ratings_save"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
    path("reviews/<int:pk>/return/", views.review_return, name="review_return"),
    path("reviews/<int:pk>/correct/", views.review_correct, name="review_correct"),
    path("reviews/<int:pk>/discard/", views.review_discard, name="review_discard"),
    path("reviews/<int:pk>/goals/", views.review_goals, name="review_goals"),
    path("progress/", views.my_progress, name="my_progress"),
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/import/", views.framework_import, name="framework_import"),
    path("frameworks/<int:pk>/", views.framework_version, name="framework_version"),
    path("frameworks/<int:pk>/publish/", views.framework_publish, name="framework_publish"),
    path("frameworks/<int:pk>/new-draft/", views.framework_new_draft, name="framework_new_draft"),
]

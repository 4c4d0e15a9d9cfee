from django.urls import include, path

from accounts import views

urlpatterns = [
    # Before allauth's own: a person's sign-in email is their roster email, changed only there.
    path("email/", views.email_from_roster, name="account_email"),
    path("", include("allauth.urls")),
]

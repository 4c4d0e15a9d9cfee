from django.contrib import admin
from django.urls import include, path

from training import views as training_views

urlpatterns = [
    path("", training_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("", include("training.urls")),
    path("admin/", admin.site.urls),
]

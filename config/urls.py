from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView

from home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("", include("training.urls")),
    path("", include("circles.urls")),
    path("", include("calendars.urls")),
    path("", include("supervision.urls")),
    path("", include("competencies.urls")),
    path("", include("dashboards.urls")),
    path("", include("audit.urls")),
    path(
        "accessibility/",
        login_not_required(TemplateView.as_view(template_name="accessibility.html")),
        name="accessibility",
    ),
    path("admin/", admin.site.urls),
    path("", include("operations.urls")),
]

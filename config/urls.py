from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView

from home import views as home_views

# The admin site's own sign-in form would skip the second factor and the sign-in limits: it sends
# people to the site's sign-in instead (and refuses a signed-in account that is not staff).
# mypy forbids assigning to a method; allauth documents this wrapping of the admin's sign-in.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("", include("training.urls")),
    path("", include("circles.urls")),
    path("", include("calendars.urls")),
    path("", include("supervision.urls")),
    path("", include("caseload.urls")),
    path("", include("competencies.urls")),
    path("", include("dashboards.urls")),
    path("", include("audit.urls")),
    path("", include("notifications.urls")),
    path(
        "accessibility/",
        login_not_required(TemplateView.as_view(template_name="accessibility.html")),
        name="accessibility",
    ),
    path("admin/", admin.site.urls),
    path("", include("operations.urls")),
]

from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "Calendars"

    def ready(self) -> None:
        from calendars import receivers  # noqa: F401 (sends the invitations circles and 2:1s ask for)

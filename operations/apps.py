from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Running the site"

    def ready(self) -> None:
        from operations import receivers  # noqa: F401 (connects the sign-in log)

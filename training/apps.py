from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Workforce and training"

    def ready(self) -> None:
        from training import receivers  # noqa: F401 (keeps the stored first days in step)

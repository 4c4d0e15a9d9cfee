from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards and definitions"

    def ready(self) -> None:
        from dashboards.services import records_changed_received
        from training.signals import records_changed

        records_changed.connect(records_changed_received, dispatch_uid="dashboards_figures")

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "thidua.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from thidua.monitoring import services  # noqa: F401  (its receiver extends issued plans)

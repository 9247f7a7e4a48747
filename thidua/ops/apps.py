from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "thidua.ops"
    verbose_name = _("Vận hành")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thidua.ops import webhooks  # noqa: F401  (its receiver queues webhook deliveries)

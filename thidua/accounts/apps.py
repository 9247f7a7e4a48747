from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thidua.accounts"
    label = "accounts"

    def ready(self) -> None:
        from thidua.accounts import checks  # noqa: F401  (registers the deployment checks)

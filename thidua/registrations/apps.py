from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "thidua.registrations"
    label = "registrations"

    def ready(self) -> None:
        from thidua.registrations import tallies  # noqa: F401  (its receivers keep coverage counts)

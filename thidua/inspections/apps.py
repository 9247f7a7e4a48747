from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "thidua.inspections"
    label = "inspections"

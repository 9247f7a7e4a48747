from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "thidua.dashboard"
    label = "dashboard"

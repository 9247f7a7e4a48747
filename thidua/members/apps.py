from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "thidua.members"
    label = "members"

from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "thidua.recognition"
    label = "recognition"

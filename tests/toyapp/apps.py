from django.apps import AppConfig


class ToyAppConfig(AppConfig):
    name = "tests.toyapp"
    label = "toyapp"

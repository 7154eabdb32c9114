from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Access and audit"

    def ready(self):
        from . import checks, signals  # noqa: F401

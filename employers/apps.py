from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "employers"

    def ready(self):
        # Registers EmployerRequest, which lives in its own module (see its docstring).
        from . import onboarding_models  # noqa: F401

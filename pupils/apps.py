from django.apps import AppConfig


class PupilsConfig(AppConfig):
    """Pupil voice: pupils sign in to see their own ten days, reflect, rate their skills
    and say what they would like to try."""

    name = "pupils"

    def ready(self):
        from . import signals  # noqa: F401

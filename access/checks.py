from django.apps import apps
from django.core import checks

from .rules import SCOPES
from .scoping import ScopedManager


@checks.register()
def every_scoped_model_has_rules(app_configs, **kwargs):
    errors = []
    for model in apps.get_models():
        if isinstance(model._default_manager, ScopedManager) and model._meta.label not in SCOPES:
            errors.append(
                checks.Error(
                    f"{model._meta.label} is tenant-owned but has no access rule.",
                    hint="Add it to access.rules.SCOPES.",
                    id="access.E001",
                )
            )
    for label in SCOPES:
        try:
            apps.get_model(label)
        except LookupError:
            errors.append(checks.Error(f"Rule for unknown model {label}", id="access.E002"))
    return errors

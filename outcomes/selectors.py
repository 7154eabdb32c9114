from django.db.models import Prefetch

from .models import Framework, Outcome


def current_framework():
    """The current framework with everything a page shows, in a fixed number of queries."""
    return (
        Framework.objects.filter(is_current=True)
        .prefetch_related(
            Prefetch("tiers__outcomes", queryset=Outcome.objects.prefetch_related("objectives")),
            "criteria",
            "questions",
            "bands",
            "skills",
        )
        .get()
    )

from django.conf import settings
from django.shortcuts import render

from access.routes import public

from .catalogue import records


@public
def privacy_page(request):
    """What the platform holds about pupils, who sees it and for how long: public, so
    parents and pupils can read it without an account. Generated from the models, the
    access rules and the retention settings (privacy.catalogue)."""
    return render(
        request,
        "privacy/privacy.html",
        {
            "records": records(),
            "retain": {
                "vetting_days": settings.RETAIN_VETTING_DOCUMENTS_DAYS,
                "invitation_days": settings.RETAIN_INVITATION_DAYS,
                "token_days": settings.RETAIN_UNUSED_TOKEN_DAYS,
                "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            },
        },
    )

"""Every pupil sign-in is on the audit trail and starts the session's clock, whichever way
they signed in (a code, or their school's single sign-on)."""

from django.contrib.auth.signals import user_logged_in
from django.utils import timezone


def pupil_signed_in(sender, request, user, **kwargs):
    from .middleware import PUPIL_SIGNED_IN_AT
    from .models import PupilAccount
    from .services import pupil_sign_in_audit

    account = PupilAccount.all_tenants_UNSCOPED.filter(user_id=user.pk).first()
    if account is None:
        return
    if request is not None and hasattr(request, "session"):
        request.session[PUPIL_SIGNED_IN_AT] = timezone.now().timestamp()
    pupil_sign_in_audit(account)


user_logged_in.connect(pupil_signed_in, dispatch_uid="pupil-signed-in")

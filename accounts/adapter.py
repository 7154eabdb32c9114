from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthError
from django.shortcuts import render

from access.audit import audit_sign_in_failed

from .sso import SsoRefusal, staff_for_sso_login

MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs themselves up: staff arrive through an invitation (accounts.services)."""

    def is_open_for_signup(self, request):
        return False

    def send_password_reset_mail(self, user, email, context):
        # A pupil has no password to reset (pupils/): a code or single sign-on only.
        from pupils.models import PupilAccount

        if PupilAccount.all_tenants_UNSCOPED.filter(user_id=user.pk).exists():
            return
        super().send_password_reset_mail(user, email, context)

    def get_login_stages(self):
        # allauth asks for the second factor after every sign-in, single sign-on included;
        # ours skips it when the provider itself did multi-factor authentication.
        return [
            "accounts.stages.SecondFactorUnlessProviderDidStage" if stage == MFA_STAGE else stage
            for stage in super().get_login_stages()
        ]


class StaffSingleSignOnAdapter(DefaultSocialAccountAdapter):
    """Single sign-on signs in people who already have an account, never makes one.

    A first sign-in is matched to an active account by an email address the provider has
    verified, and the provider's account is connected to it; later sign-ins find it by the
    provider's subject. Anything else is refused with the reason, audited like a wrong
    password, and creates nothing."""

    def is_open_for_signup(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        try:
            user = staff_for_sso_login(sociallogin, signed_in=request.user)
        except SsoRefusal as refusal:
            audit_sign_in_failed(refusal.email, via=sociallogin.provider.name)
            raise ImmediateHttpResponse(
                render(
                    request,
                    "accounts/sso_refused.html",
                    {"refusal": refusal, "provider": sociallogin.provider.name},
                    status=403,
                )
            ) from None
        if user is not None:
            sociallogin.connect(request, user)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        # The person turned back at the provider: nothing was attempted on an account.
        if error != AuthError.CANCELLED:
            audit_sign_in_failed("", via=provider.name)

from allauth.mfa.stages import AuthenticateStage

from .sso import is_strong_sso


class SecondFactorUnlessProviderDidStage(AuthenticateStage):
    """allauth's second-factor step at sign-in, skipped for single sign-on whose ID token
    says the provider did multi-factor authentication (its amr claim)."""

    def _should_handle(self, request) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if is_strong_sso(sociallogin):
            return False
        return super()._should_handle(request)

from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs themselves up: staff arrive through an invitation (accounts.services)."""

    def is_open_for_signup(self, request):
        return False

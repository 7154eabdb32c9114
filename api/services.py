"""Creating and revoking API tokens: each acts as its owner in one of their memberships."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from hubs.models import Membership

from .models import ApiToken, token_digest, token_secret_new


def own_memberships(*, actor):
    # A person's own memberships are identity, not tenant data: read them whole, as the
    # actor itself is built.
    return Membership.all_tenants_UNSCOPED.filter(user_id=actor.user_id).select_related(
        "hub", "school", "employer"
    )


def api_token_create(
    *, actor, name: str, read_only: bool, membership_id: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is never stored and cannot be shown again."""
    actor.require("api.token")
    membership = own_memberships(actor=actor).filter(pk=membership_id or actor.membership_id)
    membership = membership.first()
    if membership is None:
        raise ValidationError({"membership": "Choose one of your own organisations."})
    if not name.strip():
        raise ValidationError({"name": "Name the token after what will use it."})
    secret = token_secret_new()
    token = ApiToken(
        user_id=actor.user_id,
        membership=membership,
        name=name.strip(),
        read_only=read_only,
        digest=token_digest(secret),
        hint=secret[:10],
    )
    token.full_clean(exclude=["digest", "hint"])
    token.save()
    return token, secret


def api_token_revoke(*, actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.get(pk=token_id, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_list(*, actor):
    return ApiToken.objects.select_related("membership__hub", "membership__school").order_by(
        "revoked_at", "-created_at"
    )

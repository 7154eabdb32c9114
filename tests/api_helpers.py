"""Making API tokens and calling the API in tests, the way an integration would."""

from access.context import all_tenants_UNSAFE


def token_for(user, *, read_only=False, name="test integration") -> str:
    from access.actor import actor_for_user
    from api.services import api_token_create

    actor = actor_for_user(user)
    with all_tenants_UNSAFE("test token"):
        _token, secret = api_token_create(actor=actor, name=name, read_only=read_only)
    return secret


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

"""Single sign-on for staff: which OpenID Connect providers a deployment offers, and when a
provider's sign-in counts as strong authentication.

Plain functions without models, so the settings module can import them: a deployment
lists its providers in one environment variable, EQUALEX_SSO_PROVIDERS, a JSON list. Each
entry is a Microsoft 365 tenant, Google Workspace, or any other OpenID Connect provider:

    [{"kind": "microsoft", "tenant": "<tenant id>", "client_id": "...", "secret": "...",
      "verified_email_domains": ["northshire.sch.uk"]},
     {"kind": "google", "client_id": "...", "secret": "..."}]

They become django-allauth's SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"], so no
database row configures a provider, and with none listed no SSO button appears.
"""

import json
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

MICROSOFT_SERVER = "https://login.microsoftonline.com/{tenant}/v2.0"
GOOGLE_SERVER = "https://accounts.google.com"
KINDS = {
    "microsoft": {"id": "microsoft", "name": "Microsoft"},
    "google": {"id": "google", "name": "Google"},
    "oidc": {},
}
_KEYS = {
    "kind",
    "id",
    "name",
    "tenant",
    "server_url",
    "client_id",
    "secret",
    "verified_email_domains",
    "pkce",
}


def providers_from_env(raw: str) -> list[dict]:
    """The providers EQUALEX_SSO_PROVIDERS lists, checked, with defaults filled in. A
    mistake stops the platform from starting with a message naming it, rather than
    showing a button that cannot work."""
    if not (raw or "").strip():
        return []
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"EQUALEX_SSO_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(entries, list):
        raise ImproperlyConfigured("EQUALEX_SSO_PROVIDERS must be a JSON list of providers.")
    providers = [_provider(entry, number) for number, entry in enumerate(entries, start=1)]
    ids = [provider["id"] for provider in providers]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(
            "EQUALEX_SSO_PROVIDERS: two providers share an id; give each its own "
            '"id" (and "name"), e.g. one per Microsoft tenant.'
        )
    return providers


def _provider(entry, number: int) -> dict:
    where = f"EQUALEX_SSO_PROVIDERS entry {number}"
    if not isinstance(entry, dict):
        raise ImproperlyConfigured(f"{where} must be a JSON object.")
    unknown = set(entry) - _KEYS
    if unknown:
        raise ImproperlyConfigured(f"{where} has unknown keys: {', '.join(sorted(unknown))}.")
    kind = entry.get("kind", "oidc")
    if kind not in KINDS:
        raise ImproperlyConfigured(f"{where}: kind must be one of {', '.join(KINDS)}.")
    provider = {**KINDS[kind], **entry, "kind": kind}
    if kind == "microsoft":
        if not entry.get("tenant"):
            raise ImproperlyConfigured(
                f"{where}: a Microsoft provider needs its tenant (the directory's id or "
                "domain), so only that tenant's accounts can sign in."
            )
        provider["server_url"] = MICROSOFT_SERVER.format(tenant=entry["tenant"])
    elif kind == "google":
        provider["server_url"] = GOOGLE_SERVER
    for key in ("id", "name", "server_url", "client_id", "secret"):
        if not isinstance(provider.get(key), str) or not provider[key].strip():
            raise ImproperlyConfigured(f"{where} needs {key!r}.")
    if not provider["id"].replace("-", "").replace("_", "").isalnum():
        raise ImproperlyConfigured(f"{where}: id may hold letters, digits, - and _ only.")
    url = urlsplit(provider["server_url"])
    if url.scheme != "https" and url.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise ImproperlyConfigured(f"{where}: server_url must be https.")
    domains = provider.get("verified_email_domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise ImproperlyConfigured(f"{where}: verified_email_domains must be a list of domains.")
    provider["verified_email_domains"] = [d.strip().lower().lstrip("@") for d in domains]
    provider["pkce"] = bool(provider.get("pkce", kind != "oidc"))
    return provider


def socialaccount_providers(providers: list[dict]) -> dict:
    """django-allauth's SOCIALACCOUNT_PROVIDERS for these providers."""
    if not providers:
        return {}
    apps = [
        {
            "provider_id": provider["id"],
            "name": provider["name"],
            "client_id": provider["client_id"],
            "secret": provider["secret"],
            "settings": {
                "server_url": provider["server_url"],
                # Emails count as verified when the provider says so (email_verified), or,
                # for a provider that never says (Microsoft Entra ID), at the domains the
                # deployment names as verified in that tenant.
                "verified_email": provider["verified_email_domains"] or False,
                "oauth_pkce_enabled": provider["pkce"],
                # The ID token's claims are kept besides userinfo's: amr is read from them.
                "fetch_userinfo": True,
            },
        }
        for provider in providers
    ]
    return {"openid_connect": {"APPS": apps, "OAUTH_PKCE_ENABLED": True}}


def form_action_origins(providers: list[dict]) -> list[str]:
    """Origins the sign-in form may lead to: the Content Security Policy's form-action
    covers the redirect after a form is posted, so each provider's must be listed."""
    origins = []
    for provider in providers:
        url = urlsplit(provider["server_url"])
        origin = f"{url.scheme}://{url.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins


# Authentication method references (RFC 8176, and values Microsoft Entra ID sends). A
# sign-in is strong when the provider says several factors were used, or a phishing-
# resistant key was, or names one factor of each of two kinds (a password and a code).
MULTI_FACTOR = {"mfa", "mca", "ngcmfa"}
PHISHING_RESISTANT = {"hwk", "sc", "fido"}
KNOWLEDGE = {"pwd", "pin", "kba"}
POSSESSION_OR_INHERENCE = {"otp", "sms", "tel", "swk", "face", "fpt", "iris", "retina", "vbm"}


def is_strong_authentication(amr) -> bool:
    """Whether an ID token's amr claim shows multi-factor authentication. Anything else
    (no amr, a password alone, a one-time code alone, which may be an emailed one) is not,
    and the person completes equalex's own second factor."""
    if isinstance(amr, str):
        amr = [amr]
    if not isinstance(amr, list | tuple):
        return False
    methods = {str(method).strip().lower() for method in amr}
    if methods & (MULTI_FACTOR | PHISHING_RESISTANT):
        return True
    return bool(methods & KNOWLEDGE) and bool(methods & POSSESSION_OR_INHERENCE)

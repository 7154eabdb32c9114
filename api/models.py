import hashlib
import secrets

from django.conf import settings
from django.db import models

from access.scoping import TenantModel

TOKEN_PREFIX = "eqx_"


def token_digest(secret: str) -> str:
    # The secret has 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def token_secret_new() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(TenantModel):
    """A key for one integration: acts as its owner in one organisation (one membership),
    read-only or read-write. Only a digest is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    membership = models.ForeignKey(
        "hubs.Membership", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'SIMS nightly sync'.")
    read_only = models.BooleanField(default=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so people can tell their tokens apart.
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.hint}...)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

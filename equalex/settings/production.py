"""Production: PostgreSQL and Redis from the environment, HTTPS only, MFA enforced."""

import os

from django.core.exceptions import ImproperlyConfigured

from . import *  # noqa: F403
from . import env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Production needs SECRET_KEY of at least 50 random characters.")
# The base settings read SECRET_KEY before production's: derive the pseudonym key again.
PSEUDONYM_KEY = os.environ.get("EQUALEX_PSEUDONYM_KEY", "") or SECRET_KEY
# Emails carry links (parental consent, invitations, reminders): they must point to the
# real site, never to the development default.
for required in ("DATABASE_URL", "REDIS_URL", "EQUALEX_SITE_URL"):
    if not os.environ.get(required):
        raise ImproperlyConfigured(f"Production needs {required}.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies (load balancer, nginx) stand before gunicorn, each adding to
# X-Forwarded-For: the rate limits (staff sign-in, pupils' codes) then key on the
# visitor's address, not the proxy's. 0 (the default, as docker-compose.yml serves
# gunicorn directly) trusts no header: a visitor could otherwise write their own.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("EQUALEX_TRUSTED_PROXY_COUNT", "0"))
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS = True

"""British dates in full ("3 March 2026"), as every page and PDF writes them: Django's
en_GB locale abbreviates the month ("3 Mar 2026"), and a locale's formats win over the
DATE_FORMAT setting, so the platform's own locale module overrides them."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"

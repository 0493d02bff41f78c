"""Production: base settings plus features switched on by environment variables."""

from django.core.exceptions import ImproperlyConfigured

from .base import *


def _flag(name, default):
    """A yes/no environment variable (1, true or yes mean yes)."""
    return os.environ.get(name, default).lower() in ("1", "true", "yes")


if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY in the environment.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS (comma-separated) in the environment.")

# HTTPS only, by default: redirect plain HTTP and tell browsers to remember it (HSTS). Set
# DJANGO_SECURE_SSL_REDIRECT=false where a proxy redirects instead (or for a plain-HTTP check
# on a loopback address, as .ci/run does), and DJANGO_HSTS_SECONDS=0 to send no HSTS header.
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", "true")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
# HSTS for the subdomains too, and the "preload" directive (which only allows submitting the
# domain to the browsers' preload list; it enrolls nothing). Opt out where subdomains still
# serve plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = _flag("DJANGO_HSTS_PRELOAD", "true")
# X_FRAME_OPTIONS is SAMEORIGIN, not DENY, on purpose: Wagtail's preview panel frames the
# site's own pages (base.py). Other origins are refused, which is what W019 is about.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
# Links in e-mails, PDFs and exports: the site's public address, from the first allowed host
# unless WAGTAILADMIN_BASE_URL says otherwise (base.py's default is the development server).
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL") or f"https://{ALLOWED_HOSTS[0]}"

if os.environ.get("DJANGO_EMAIL_HOST"):
    EMAIL_HOST = os.environ["DJANGO_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = True
    DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")
else:
    # No mail server: a password reset link could never arrive, and the form would still say
    # it was sent. The admin does not offer one; an administrator sets a new password
    # (docs/operations.md). Wagtail logs the workflow notifications it cannot send.
    WAGTAIL_PASSWORD_RESET_ENABLED = False

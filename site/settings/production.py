"""Production: base settings plus features switched on by environment variables."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY in the environment.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS (comma-separated) in the environment.")

if "DJANGO_SECURE_SSL_REDIRECT" in os.environ:
    SECURE_SSL_REDIRECT = os.environ["DJANGO_SECURE_SSL_REDIRECT"].lower() in ("1", "true", "yes")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if "DJANGO_HSTS_SECONDS" in os.environ:
    SECURE_HSTS_SECONDS = int(os.environ["DJANGO_HSTS_SECONDS"])

if "DJANGO_EMAIL_HOST" in os.environ:
    EMAIL_HOST = os.environ["DJANGO_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = True
    DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")

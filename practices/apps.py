"""App configuration for the practices domain."""

from django.apps import AppConfig


class PracticesConfig(AppConfig):
    """Practices, cities, networks, events and their vocabularies."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "practices"
    verbose_name = "Practices"

    def ready(self):
        """Connect the signal handlers and register the site address check."""
        from . import signals, site_address  # noqa: F401

"""App configuration for the public practice search."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Faceted practice search: engines, index sync, the search page and its command."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = _("Practice search")

    def ready(self):
        """Connect the index-sync signal handlers."""
        from . import signals  # noqa: F401

"""The practice-search engines and the one way to get the configured one."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import BaseBackend


def get_backend() -> BaseBackend:
    """Build the engine named in settings.PRACTICE_SEARCH.

    BACKEND is a module path whose module defines ``Backend``; the other keys are passed as
    lower-case keyword arguments (as in Django's CACHES). Callers never ask which engine it is.
    """
    options = dict(settings.PRACTICE_SEARCH)
    backend_class = import_string(f"{options.pop('BACKEND')}.Backend")
    return backend_class(**{key.lower(): value for key, value in options.items()})

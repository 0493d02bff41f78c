"""WSGI entry point for Practice Hub (production settings unless told otherwise)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practicehub.settings.production")

application = get_wsgi_application()

"""WSGI entry point for Practice Hub (production settings unless told otherwise)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practicehub.settings.production")

application = get_wsgi_application()

# Load fonts, templates and WeasyPrint's libraries now, so that the first reader to download
# a PDF sheet from this worker does not wait for them (docs/pdf.md).
from practices.sheets.render import warm_up  # noqa: E402 (needs the app registry set up above)

warm_up()

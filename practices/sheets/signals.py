"""Signals of the sheet renderer."""

from django.dispatch import Signal

# Sent each time a PDF is really rendered (not when a cached copy is served), with the keyword
# arguments kind ("practice", "city" or "bundle"), page (None for bundles), audience and
# seconds. Tests count renders with it; operators can log or time renders.
sheet_rendered = Signal()

"""The page shown when django-axes has paused sign-in for an account and address."""

from django.conf import settings
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    """Say that signing in is paused, for how long, and what to do (HTTP 429)."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    response = render(
        request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response

"""Shared pytest configuration."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Keep uploaded and generated files out of the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"

"""Settings: every environment variable the code reads is documented in .env.example."""

import re

from django.conf import settings
from django.test import SimpleTestCase


class EnvironmentDocumentationTests(SimpleTestCase):
    def test_every_environment_variable_read_is_listed_in_env_example(self):
        root = settings.BASE_DIR
        listed = set(re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.M))
        read = set()
        for folder in ("site", "practices", "search"):
            for path in (root / folder).rglob("*.py"):
                read |= set(re.findall(r'environ(?:\.get)?[\(\[]"([A-Z_]+)"', path.read_text()))
        self.assertTrue(read, "no environment variables found: the pattern is wrong")
        self.assertEqual(read - listed, set())

    def test_base_settings_are_safe_by_default(self):
        from practicehub.settings import base

        self.assertFalse(base.DEBUG)
        self.assertTrue(base.SESSION_COOKIE_SECURE)
        self.assertEqual(base.ALLOWED_HOSTS, [])

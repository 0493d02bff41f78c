"""Response headers and deployment settings (issue 12, finding 10)."""

import os
import secrets
import subprocess
import sys

from django.conf import settings
from django.test import TestCase, override_settings


class HeaderTests(TestCase):
    """The public site sends a Content-Security-Policy; the admin still works."""

    def test_public_pages_send_a_content_security_policy(self):
        for path in ("/", "/practices/", "/accounts/login/"):
            with self.subTest(path=path):
                policy = self.client.get(path)["Content-Security-Policy"]
                for directive in (
                    "default-src 'self'",
                    "object-src 'none'",
                    "base-uri 'self'",
                    "form-action 'self'",
                    "frame-ancestors 'self'",
                ):
                    self.assertIn(directive, policy)
                self.assertNotIn("unsafe-inline", policy)

    def test_the_admins_send_their_own_policy_that_allows_no_other_origin(self):
        for path in ("/admin/login/", "/django-admin/login/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                policy = {
                    directive.split()[0]: directive.split()[1:]
                    for directive in response["Content-Security-Policy"].split("; ")
                }
                self.assertEqual(policy["default-src"], ["'self'"])
                self.assertEqual(sorted(policy["script-src"]), ["'self'", "'unsafe-inline'"])
                self.assertEqual(policy["object-src"], ["'none'"])
                self.assertEqual(policy["frame-ancestors"], ["'self'"])
                self.assertNotIn("connect-src", policy)  # so default-src: the site only
                self.assertFalse([v for values in policy.values() for v in values if "//" in v])

    def test_the_admin_asks_no_other_site_for_pictures_or_releases(self):
        from django.contrib.auth.models import User

        admin = User.objects.create_superuser("csp-admin", "csp-admin@example.org", "x")
        self.client.force_login(admin)
        html = self.client.get("/admin/").content.decode()
        self.assertNotIn("gravatar.com", html)
        self.assertNotIn("releases.wagtail.org", html)


class DeploymentCheckTests(TestCase):
    """`manage.py check --deploy` under production settings warns about nothing."""

    def test_check_deploy_is_clean_with_the_documented_variables(self):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "practicehub.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "hub.example.org",
        }
        for name in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_HSTS_SECONDS", "WAGTAILADMIN_BASE_URL"):
            environment.pop(name, None)  # the defaults are what is checked
        # Set for this test process by the browser tests (tests/browser/conftest.py); a
        # deployment never has it, and check --deploy rightly refuses it.
        environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        done = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("no issues", done.stdout)

    def test_production_links_use_the_public_address(self):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "practicehub.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "hub.example.org,www.hub.example.org",
        }
        environment.pop("WAGTAILADMIN_BASE_URL", None)
        done = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        self.assertEqual(done.stdout.strip().splitlines()[-1], "https://hub.example.org")


class PasswordResetWithoutMailTests(TestCase):
    """A production site without a mail server offers no password reset that cannot arrive."""

    def production_setting(self, name, **variables):
        """The value of setting `name` under production settings with these variables."""
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "practicehub.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "hub.example.org",
            **variables,
        }
        code = f"from django.conf import settings; print(getattr(settings, {name!r}, 'unset'))"
        done = subprocess.run(  # noqa: S603 - this project's manage.py
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    def test_no_mail_server_means_no_password_reset_link(self):
        # .env.example leaves DJANGO_EMAIL_HOST empty: that is no mail server, not host "".
        self.assertEqual(
            self.production_setting("WAGTAIL_PASSWORD_RESET_ENABLED", DJANGO_EMAIL_HOST=""),
            "False",
        )
        self.assertEqual(self.production_setting("EMAIL_HOST", DJANGO_EMAIL_HOST=""), "localhost")

    def test_a_mail_server_brings_the_password_reset_back(self):
        variables = {"DJANGO_EMAIL_HOST": "smtp.example.org"}
        self.assertEqual(
            self.production_setting("WAGTAIL_PASSWORD_RESET_ENABLED", **variables), "unset"
        )
        self.assertEqual(self.production_setting("EMAIL_HOST", **variables), "smtp.example.org")

    @override_settings(WAGTAIL_PASSWORD_RESET_ENABLED=False)
    def test_the_admin_sign_in_page_then_offers_no_reset(self):
        html = self.client.get("/admin/login/").content.decode()
        self.assertNotIn("password_reset", html)
        self.assertIn(self.client.get("/admin/password_reset/").status_code, (404, 302))

"""Absolute links name the site's public address, never `localhost` (issue 12, finding 10).

WAGTAILADMIN_BASE_URL is the address; the default Wagtail Site follows it after migrate, so a
page's full_url in PDFs and CSV exports and Wagtail's e-mails agree (practices/site_address.py).
"""

import csv
import io
import os
import secrets
import subprocess
import sys
import tempfile

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import TestCase, override_settings
from django.urls import reverse
from wagtail.models import Site

from practices.roles import setup_roles
from practices.site_address import PLACEHOLDER_HOSTNAME, sync_default_site
from practices.visibility import CURATORS_GROUP
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory
from tests.practices.pdf_helpers import pdf_text

PUBLIC = "https://hub.example.org"


def placeholder_site():
    """Put the default Site back to the address it is created with."""
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = PLACEHOLDER_HOSTNAME, 80
    site.save()
    return site


@override_settings(WAGTAILADMIN_BASE_URL=PUBLIC)
class PublicAddressTests(TestCase):
    """With the public address set, PDFs, exports and e-mails all name it."""

    @classmethod
    def setUpTestData(cls):
        setup_roles()
        placeholder_site()
        with override_settings(WAGTAILADMIN_BASE_URL=PUBLIC):
            sync_default_site()
        cls.city = CityPageFactory(title="Addressville")
        cls.practice = PracticePageFactory(title="Linked practice", parent=cls.city)
        cls.curator = UserFactory(username="address-curator", email="curator@example.org")
        cls.curator.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def test_the_default_site_takes_the_public_address(self):
        self.assertEqual(Site.objects.get(is_default_site=True).root_url, PUBLIC)

    def test_the_practice_sheet_and_the_factsheet_link_to_the_public_address(self):
        for url in (self.practice.sheet_url, self.city.factsheet_url):
            with self.subTest(url=url):
                text = " ".join(pdf_text(self.client.get(url).getvalue()).split())
                self.assertIn(f"{PUBLIC}{self.city.url}", text)
                self.assertNotIn("localhost", text)
                self.assertNotIn(":8000", text)

    def test_the_curators_csv_links_to_the_public_address(self):
        self.client.force_login(self.curator)
        response = self.client.get(reverse("curation:index"), {"export": "csv"})
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        urls = {row["url"] for row in csv.DictReader(io.StringIO(content))}
        self.assertIn(f"{PUBLIC}{self.practice.url}", urls)
        self.assertFalse([url for url in urls if "localhost" in url])

    def test_workflow_e_mails_link_to_the_public_address(self):
        editor = UserFactory(username="address-editor")
        editor.groups.add(Group.objects.get(name=f"City editors: {self.city.title}"))
        self.practice.save_revision(user=editor)
        workflow = self.practice.get_workflow()
        mail.outbox.clear()
        workflow.start(self.practice, editor)
        bodies = [message.body for message in mail.outbox]
        self.assertTrue(bodies, "submitting for review e-mails the curators")
        self.assertTrue(any(f"{PUBLIC}/admin/" in body for body in bodies), bodies)
        self.assertFalse([body for body in bodies if "localhost" in body])


class SiteSetUpByAPersonTests(TestCase):
    """A Site someone set up is kept, and the deployment check says when it disagrees."""

    def test_a_site_set_up_by_hand_is_left_alone(self):
        site = Site.objects.get(is_default_site=True)
        site.hostname, site.port = "practices.city.example", 443
        site.save()
        with override_settings(WAGTAILADMIN_BASE_URL=PUBLIC):
            self.assertFalse(sync_default_site())
        site.refresh_from_db()
        self.assertEqual(site.root_url, "https://practices.city.example")

    def test_the_deploy_check_reports_a_site_that_names_another_address(self):
        site = Site.objects.get(is_default_site=True)
        site.hostname, site.port = "practices.city.example", 443
        site.save()
        with (
            override_settings(WAGTAILADMIN_BASE_URL=PUBLIC),
            self.assertRaises(SystemCheckError) as raised,
        ):
            call_command(
                "check", deploy=True, databases=["default"], fail_level="WARNING",
                tags=["database"],
            )  # fmt: skip
        self.assertIn("practices.W001", str(raised.exception))
        self.assertIn("https://practices.city.example", str(raised.exception))


class ProductionMigrateTests(TestCase):
    """A fresh production database links to https://<first allowed host> and checks clean."""

    def test_migrate_gives_the_site_the_public_address_and_check_deploy_is_clean(self):
        with tempfile.TemporaryDirectory() as folder:
            environment = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "practicehub.settings.production",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "hub.example.org,www.hub.example.org",
                "DATABASE_URL": f"sqlite:///{folder}/production.sqlite3",
            }
            for name in ("WAGTAILADMIN_BASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
                environment.pop(name, None)

            def manage(*arguments):
                return subprocess.run(  # noqa: S603 - this project's manage.py
                    [sys.executable, "manage.py", *arguments],
                    cwd=settings.BASE_DIR,
                    env=environment,
                    capture_output=True,
                    text=True,
                    check=False,
                )

            migrated = manage("migrate", "--noinput", "-v0")
            self.assertEqual(migrated.returncode, 0, migrated.stderr)
            shown = manage(
                "shell", "-c",
                "from wagtail.models import Site; print(Site.objects.get(is_default_site=True)"
                ".root_url)",
            )  # fmt: skip
            self.assertEqual(shown.stdout.strip().splitlines()[-1], PUBLIC)
            checked = manage(
                "check", "--deploy", "--database", "default", "--fail-level", "WARNING"
            )
            self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

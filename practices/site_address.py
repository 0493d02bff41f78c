"""The site's public address in one place.

`WAGTAILADMIN_BASE_URL` is the address (production: `https://<first allowed host>` unless set;
development: the development server). Wagtail's own e-mails read that setting, while every
other absolute link — a page's `full_url` in PDF sheets, factsheets, bundles and the curators'
CSV and XLSX exports — comes from the default Wagtail Site. So after each migrate the default
Site is given the address while it still holds the placeholder it was created with, and a
deployment check (`check --deploy --database default`) reports a Site that names another one.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

# The hostname the default Site is created with (practices' migration 0003, as Wagtail's own
# first migration): a Site still named so was never set up by a person.
PLACEHOLDER_HOSTNAME = "localhost"


def public_address():
    """(hostname, port) of WAGTAILADMIN_BASE_URL, as a Wagtail Site stores an address."""
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    default_port = 443 if parts.scheme == "https" else 80
    return parts.hostname, parts.port or default_port


def sync_default_site():
    """Give the default Site the public address if it still has the placeholder one.

    Returns True when it changed the Site. A Site someone has set up is left alone (a deploy
    check says when it disagrees with the setting).
    """
    from wagtail.models import Site

    hostname, port = public_address()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or site.hostname != PLACEHOLDER_HOSTNAME or not hostname:
        return False
    if (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    return True


@checks.register(checks.Tags.database, deploy=True)
def check_site_address(app_configs, databases=None, **kwargs):
    """Warn when links from the default Site would not name WAGTAILADMIN_BASE_URL's address."""
    from wagtail.models import Site

    if not databases:
        return []
    try:
        site = Site.objects.filter(is_default_site=True).first()
    except DatabaseError:  # not migrated yet
        return []
    expected = public_address()
    if site is None or (site.hostname, site.port) == expected:
        return []
    return [
        checks.Warning(
            f"The default Wagtail Site is {site.root_url}, but WAGTAILADMIN_BASE_URL is "
            f"{settings.WAGTAILADMIN_BASE_URL}: PDF sheets and CSV exports would link to the "
            "first, e-mails to the second.",
            hint="Edit the Site under Settings > Sites (hostname and port; port 443 means "
            "https), or set WAGTAILADMIN_BASE_URL to the Site's address.",
            obj=site,
            id="practices.W001",
        )
    ]

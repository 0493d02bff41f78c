"""Demo content: networks, cities and events from fixtures/demo, written idempotently.

Practices go through the importer users run (PracticeImporter), so the demo also exercises it.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from .models import (
    CityIndexPage,
    CityPage,
    EventPage,
    EventSession,
    EventTakeaway,
    FundingProgramme,
    HomePage,
    KeyTheme,
    NetworkIndexPage,
    NetworkPage,
    OrganisationType,
    TargetAudience,
)
from .richtext import to_rich_text

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
HOME_INTRO = (
    "<p>Practice Hub brings together good practices of cities and networks that work on "
    "preventing violent extremism, polarisation and urban violence. Find what another city "
    "did, judge whether it transfers to yours, and contact the people behind it.</p>"
)
# RAN's vocabularies (RAN_TEMPLATE.md) and the funder each programme term belongs to.
VOCABULARY_SOURCES = {
    KeyTheme: "RAN",
    TargetAudience: "RAN",
    OrganisationType: "RAN",
}
FUNDING_SOURCES = {"ISF-Police": "icommit", "Peace Incentive Fund": "Peace in Our Cities"}


def read(name):
    """The records of one demo fixture file."""
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def _decimal(value):
    """A JSON number as a Decimal with the digits it was written with (not float noise)."""
    return None if value is None else Decimal(str(value))


def _snapshot(page):
    """The page's content as comparable JSON, to skip writing pages that did not change.

    Child objects are compared without their ids, because the loader rebuilds them.
    """

    def strip_ids(value):
        if isinstance(value, dict):
            return {k: strip_ids(v) for k, v in value.items() if k not in ("pk", "id", "page")}
        if isinstance(value, list):
            return [strip_ids(v) for v in value]
        return value

    data = page.serializable_data()
    data = {k: strip_ids(v) if isinstance(v, list) else v for k, v in data.items()}
    return json.dumps(
        data, sort_keys=True, default=lambda v: float(v) if isinstance(v, Decimal) else str(v)
    )


def _save(page, parent, before=None):
    """Add `page` under `parent` if it is new, then publish a revision if anything changed."""
    if page.pk is not None and before == _snapshot(page):
        return page
    if page.pk is None:
        page.slug = slugify(page.title)[:200]
        parent.add_child(instance=page)
    page.save_revision(log_action=True).publish()
    return page


def load_home():
    """Give the home page its introduction."""
    home = HomePage.objects.get()
    before = _snapshot(home)
    home.intro = HOME_INTRO
    _save(home, None, before)


def load_networks():
    """Create or update the demo networks; return them by short name."""
    index = NetworkIndexPage.objects.get()
    networks = {}
    for item in read("networks.json"):
        page = NetworkPage.objects.filter(short_name=item["short_name"]).first() or NetworkPage()
        before = _snapshot(page)
        page.title = item["name"]
        page.short_name = item["short_name"]
        page.description = to_rich_text(item.get("description") or "")
        page.website = item.get("website") or ""
        networks[page.short_name] = _save(page, index, before)
    for model, short_name in VOCABULARY_SOURCES.items():
        model.objects.filter(source_network=None).update(source_network=networks[short_name])
    for label, short_name in FUNDING_SOURCES.items():
        FundingProgramme.objects.filter(label=label, source_network=None).update(
            source_network=networks[short_name]
        )
    return networks


def load_cities(networks):
    """Create or update the demo city profiles."""
    index = CityIndexPage.objects.get()
    for item in read("cities.json"):
        page = CityPage.objects.filter(title=item["name"], country=item["country"]).first()
        page = page.get_latest_revision_as_object() if page else CityPage()
        before = _snapshot(page)
        page.title = item["name"]
        page.country = item["country"]
        page.latitude = _decimal(item.get("latitude"))
        page.longitude = _decimal(item.get("longitude"))
        page.intro = item.get("intro") or ""
        page.coordinating_body = item.get("coordinating_body") or ""
        for name in CityPage.PROFILE_FIELDS:
            if name != "coordinating_body":
                setattr(page, name, to_rich_text(item.get(name) or ""))
        page.networks.set([networks[n] for n in item.get("networks", [])])
        _save(page, index, before)


def load_events(networks):
    """Create or update the demo events under their networks."""
    for item in read("events.json"):
        network = networks[item["network"]]
        start = datetime.date.fromisoformat(item["date"])
        page = EventPage.objects.child_of(network).filter(title=item["title"], date=start).first()
        page = page.get_latest_revision_as_object() if page else EventPage()
        before = _snapshot(page)
        page.title = item["title"]
        page.date = start
        page.end_date = (
            datetime.date.fromisoformat(item["end_date"]) if item.get("end_date") else None
        )
        page.place = item.get("place") or ""
        page.summary = to_rich_text(item.get("summary") or "")
        page.source_url = item.get("source_url") or ""
        page.sessions = [
            EventSession(title=s["title"], description=s.get("description") or "")
            for s in item.get("sessions", [])
        ]
        page.key_takeaways = [EventTakeaway(text=t) for t in item.get("key_takeaways", [])]
        _save(page, network, before)


def load_access():
    """Make the demo's members-only practices members-only (after the practices exist)."""
    from .models import PracticePage
    from .roles import make_members_only

    for title in read("access.json")["members_only"]:
        make_members_only(PracticePage.objects.get(title=title))


def demo_accounts():
    """The demo role accounts: username, email and group names."""
    return read("access.json")["accounts"]

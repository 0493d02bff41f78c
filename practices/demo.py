"""Demo content: networks, cities and events from fixtures/demo, written idempotently.

Practices go through the importer users run (PracticeImporter), so the demo also exercises it.
"""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

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
    PracticePage,
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


# --- Media: one practice, one city and one network get an image with its alt text.
#
# The pictures are drawn here (Pillow) rather than shipped: a few shapes in the site's colours,
# the same pixels every run. Each is found again by its title, so loading twice adds nothing.
DEMO_PRACTICE = "Building a sustainable online prevention P/CVE approach"
DEMO_CITY = "Mechelen"
DEMO_NETWORK = "RAN"
PRACTICE_IMAGE_ALT = (
    "Drawing of three people at their screens, linked to one another by lines of conversation."
)
CITY_IMAGE_ALT = "Drawing of a city skyline with a cathedral tower, in blue and gold."
NETWORK_LOGO_ALT = "RAN logo: three linked circles beside a blue bar."
FULL_DOCUMENT_TEXT = (
    "<h1>{title}</h1><p>The full description of the practice, as its team wrote it for the "
    "Radicalisation Awareness Network collection: aims, method, resources and lessons learnt. "
    "A demo document.</p>"
)
NAVY, BLUE, GOLD, WASH = (11, 42, 79), (11, 79, 148), (232, 170, 20), (241, 245, 250)


def _practice_picture():
    """Three people at screens, linked: the demo practice's image (1200 x 675)."""
    picture = PILImage.new("RGB", (1200, 675), WASH)
    draw = ImageDraw.Draw(picture)
    centres = [(260, 360), (600, 250), (940, 360)]
    for (x1, y1), (x2, y2) in zip(centres, centres[1:] + centres[:1], strict=True):
        draw.line([(x1, y1 - 60), (x2, y2 - 60)], fill=GOLD, width=10)
    for x, y in centres:
        draw.ellipse([x - 55, y - 175, x + 55, y - 65], fill=NAVY)  # head
        draw.rounded_rectangle([x - 90, y - 40, x + 90, y + 120], radius=40, fill=BLUE)  # body
        draw.rectangle([x - 130, y + 90, x + 130, y + 240], fill=NAVY)  # screen
        draw.rectangle([x - 115, y + 105, x + 115, y + 225], fill=WASH)
    return picture


def _city_picture():
    """A skyline with a cathedral tower: the demo city's image (640 x 320)."""
    picture = PILImage.new("RGB", (640, 320), NAVY)
    draw = ImageDraw.Draw(picture)
    draw.ellipse([440, 30, 520, 110], fill=GOLD)  # sun
    for x, height in [(40, 120), (120, 160), (400, 140), (470, 100), (540, 170)]:
        draw.rectangle([x, 320 - height, x + 70, 320], fill=BLUE)
    draw.rectangle([250, 60, 350, 320], fill=WASH)  # the tower
    draw.polygon([(250, 60), (300, 10), (350, 60)], fill=GOLD)
    return picture


def _network_logo():
    """Three linked circles beside a bar: the demo network's logo (480 x 160)."""
    picture = PILImage.new("RGB", (480, 160), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    draw.line([(50, 80), (130, 80)], fill=GOLD, width=8)
    for x in (50, 90, 130):
        draw.ellipse([x - 30, 50, x + 30, 110], outline=NAVY, width=8)
    draw.rounded_rectangle([190, 55, 450, 105], radius=20, fill=BLUE)
    return picture


def _demo_image(title, draw):
    """The demo image called `title`, drawn and stored the first time."""
    model = get_image_model()
    image = model.objects.filter(title=title).first()
    if image is None:
        buffer = io.BytesIO()
        draw().save(buffer, format="PNG")
        image = model(title=title, collection=Collection.get_first_root_node())
        image.file = ImageFile(buffer, name=f"{slugify(title)}.png")
        image.save()
    return image


def _demo_document(title, collection):
    """The demo full practice document called `title`: a one-page PDF, made the first time."""
    import weasyprint

    model = get_document_model()
    document = model.objects.filter(title=title).first()
    if document is None:
        pdf = weasyprint.HTML(string=FULL_DOCUMENT_TEXT.format(title=title)).write_pdf()
        document = model(title=title, collection=collection)
        document.file = ContentFile(pdf, name=f"{slugify(title)[:60].rstrip('-')}.pdf")
        document.save()
    return document


def _set_media(page, **values):
    """Give `page` (its latest revision) these media fields; publish only if that changed."""
    page = page.get_latest_revision_as_object()
    before = _snapshot(page)
    for name, value in values.items():
        setattr(page, name, value)
    return _save(page, None, before)


def load_media():
    """Give the demo practice, city and network an image with alt text, and the practice its
    full practice document (in its city's collection, like an editor's upload)."""
    from .models.roles import CityEditorGroup

    network = NetworkPage.objects.get(short_name=DEMO_NETWORK)
    _set_media(network, logo=_demo_image("RAN logo", _network_logo), logo_alt=NETWORK_LOGO_ALT)
    city = CityPage.objects.get(title=DEMO_CITY)
    _set_media(city, image=_demo_image("Mechelen skyline", _city_picture), image_alt=CITY_IMAGE_ALT)
    practice = PracticePage.objects.get(title=DEMO_PRACTICE)
    owner = practice.owning_city
    link = CityEditorGroup.objects.filter(city=owner).first() if owner else None
    collection = link.collection if link and link.collection else None
    document = _demo_document(
        f"{DEMO_PRACTICE}: full practice", collection or Collection.get_first_root_node()
    )
    _set_media(
        practice,
        image=_demo_image("Online prevention practice", _practice_picture),
        image_alt=PRACTICE_IMAGE_ALT,
        full_document=document,
    )

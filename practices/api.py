"""The read API under /api/ (docs/api.md): practices, cities, networks, events, adaptation
reports and vocabularies, described by an OpenAPI document at /api/openapi.json.

Built on django-ninja directly, not on Wagtail 8's API (wagtail.api.v3): Wagtail's gives a
signed-in user the pages they may *edit* in the admin and serves generic page fields, while
this API must give every reader what the pages give them (the visibility rule of
practices.visibility: members see members-only practices, nobody sees drafts) and the RAN
fields in the interchange format's names. What a list finds comes from the search engine
interface (search.backends), so both engines answer alike; every item is then loaded again
through the visibility rule, and contact details follow consent (interchange.record_for).
"""

from dataclasses import replace
from datetime import date, datetime
from functools import wraps
from math import ceil
from typing import Annotated

from django.conf import settings
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema
from pydantic import create_model

from search.backends import get_backend
from search.backends.base import SortOrder
from search.facets import FACETS
from search.forms import SearchForm

from .conditional import per_collection_state
from .interchange import record_for
from .limits import counted, seconds_to_next_window, visitor_of
from .models import (
    CityPage,
    EventPage,
    FundingProgramme,
    KeyTheme,
    NetworkPage,
    OrganisationType,
    PracticePage,
    PracticeTag,
    TargetAudience,
    adaptations_visible_to,
)
from .visibility import visible_pages

MAX_ID = 2**31 - 1  # page ids are 32-bit; a larger one names nothing (and no database errs)
MAX_PAGE = 10_000
DEFAULT_PAGE_SIZE = 20
PageId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
# Two letters or nothing: anything else (a NUL character, say) never reaches the database.
CountryCode = Annotated[str, Query("", pattern=r"^[A-Za-z]{0,2}$")]
PRACTICE_PREFETCH = (
    "key_themes", "target_audiences", "cities", "networks", "funding_programmes", "tags",
    "presented_at",
)  # fmt: skip


def limited_then_kept(view):
    """Count every call against the client's limit (PRACTICE_API_CALLS_PER_VISITOR per
    PRACTICE_API_WINDOW seconds, a signed-in user else an IP address), answers kept from
    before included; then answer per collection state (ETag, 304, kept public answers)."""
    answer = per_collection_state(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        allowed = counted(
            f"api:{visitor_of(request)}",
            settings.PRACTICE_API_CALLS_PER_VISITOR,
            settings.PRACTICE_API_WINDOW,
        )
        if not allowed:
            return too_many_calls()
        return answer(request, *args, **kwargs)

    return wrapper


def too_many_calls():
    """HTTP 429 with Retry-After and a sentence saying when to come back."""
    wait = seconds_to_next_window(settings.PRACTICE_API_WINDOW)
    message = _("Too many calls from here for now. Please try again in %(minutes)d minutes.")
    return JsonResponse(
        {"detail": message % {"minutes": -(-wait // 60)}},
        status=429,
        headers={"Retry-After": str(wait)},
    )


api = NinjaAPI(
    title="Practice Hub API",
    version="1.0",
    description=(
        "Read the collection of good practices: practices (searched as the site's search "
        "page does), cities, networks, events, adaptation reports and vocabularies. "
        "Anonymous calls see public content; a signed-in session sees what that user may. "
        "Contact details are given only where the contact agreed to be public, or to members."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
# Every call counted; ETag / Last-Modified, 304 while nothing changed, public answers kept.
api.add_decorator(limited_then_kept, mode="view")


@api.exception_handler(Http404)
def not_found(request, exc):
    """The same answer for what does not exist and what this reader may not see."""
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


# --- Schemas


class Error(Schema):
    """What a refused call says."""

    detail: str


class CityRef(Schema):
    """A city by name and ISO 3166-1 alpha-2 country code, as the interchange format has it."""

    name: str
    country: str


class Presentation(Schema):
    """Where a practice was presented (a working group or event)."""

    name: str
    date: str | None
    place: str
    subject: str


class Organisation(Schema):
    """The organisation behind a practice."""

    name: str
    description: str
    type: str


class Contact(Schema):
    """A contact, empty unless the contact agreed to be public or the reader is a member."""

    name: str
    email: str
    phone: str
    website: str
    address: str
    public: bool


class PracticeRecord(Schema):
    """Every field of the RAN practice template, in the interchange format's names
    (docs/importing.md). Texts marked as rich text are HTML."""

    title: str
    description: str = Field(description="Aims and working method (rich text).")
    key_themes: list[str]
    target_audiences: list[str]
    cities: list[CityRef] = Field(description="The owning city first.")
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes.")
    regions: list[str]
    networks: list[str] = Field(description="Networks by short name.")
    start_year: int | None
    end_year: int | None
    deliverables: str
    evidence_and_evaluation: str
    evaluation_type: str
    peer_reviewed: bool
    sustainability_and_transferability: str
    presented_at: list[Presentation]
    eu_funding: str = Field(description="EU funding (rich text).")
    funding_programmes: list[str]
    organisation: Organisation
    country_of_origin: str
    contact: Contact
    last_update_year: int | None
    tags: list[str]
    language: str
    source_url: str | None


class Links(Schema):
    """Where an item is on the site and in the API."""

    id: int
    url: str = Field(description="The page on the site.")
    api_url: str


class PracticeSummary(Links):
    """A practice as a list shows it."""

    title: str
    key_themes: list[str]
    cities: list[CityRef]
    countries: list[str]
    networks: list[str]
    start_year: int | None
    evidence: str = Field(description="Evidence at a glance, e.g. 'External evaluation'.")
    last_published_at: datetime | None


class AdaptedIn(Schema):
    """An adaptation report of a practice, by the city that wrote it."""

    id: int
    city: str
    api_url: str


class PracticeDetail(PracticeRecord):
    """One practice: its record, with where it is and what else the site knows of it."""

    id: int
    url: str
    api_url: str
    evidence: str
    first_published_at: datetime | None
    last_published_at: datetime | None
    adapted_in: list[AdaptedIn]


class CitySummary(Links):
    """A city."""

    title: str
    country: str
    country_name: str
    latitude: float | None
    longitude: float | None
    networks: list[str]
    practices: int = Field(
        description="Practices this city owns or takes part in that the reader may see."
    )


class CityDetail(CitySummary):
    """A city and its profile (rich text, HTML)."""

    intro: str
    profile: dict[str, str]
    coordinating_body: str


class NetworkSummary(Links):
    """A network of cities or practitioners."""

    title: str
    short_name: str
    website: str
    practices: int = Field(description="Practices of this network the reader may see.")


class NetworkDetail(NetworkSummary):
    """A network with its description (rich text, HTML)."""

    description: str


class EventSummary(Links):
    """A network meeting, workshop or webinar."""

    title: str
    date: date
    end_date: date | None
    place: str
    network: str


class EventDetail(EventSummary):
    """An event with its summary (rich text, HTML) and the practices presented there."""

    summary: str
    practices: list[int]


class PracticeRef(Schema):
    """A practice by id and title."""

    id: int
    title: str
    api_url: str


class AdaptationDetail(Links):
    """A city's report of adapting another city's practice (texts are rich text, HTML)."""

    title: str
    city: str
    original: PracticeRef | None = Field(
        description="The practice adapted, when the reader may see it."
    )
    started_year: int | None
    what_adapted: str
    cost: str
    obstacles: str
    results: str
    contact_name: str
    contact_email: str


class Term(Schema):
    """A term of a vocabulary: its slug (what the filters take) and label."""

    slug: str
    label: str
    active: bool = True


class Vocabulary(Schema):
    """A vocabulary and where its terms are."""

    name: str
    label: str
    api_url: str


def _list_schema(name, item):
    """A page of a list of `item`s: the total, the page and links to its neighbours."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, ...),
        page=(int, ...),
        page_size=(int, ...),
        num_pages=(int, ...),
        next=(str | None, None),
        previous=(str | None, None),
        notices=(list[str], []),
        results=(list[item], ...),
    )


PracticeList = _list_schema("PracticeList", PracticeSummary)
CityList = _list_schema("CityList", CitySummary)
NetworkList = _list_schema("NetworkList", NetworkSummary)
EventList = _list_schema("EventList", EventSummary)
AdaptationList = _list_schema("AdaptationList", AdaptationDetail)


class Paging(Schema):
    """Which page of a list, and how long a page is."""

    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=100)


# The practice filters are the search page's facets, named as in its URLs (one rule: FACETS).
PracticeFilters = create_model(
    "PracticeFilters",
    __base__=Schema,
    q=(str, Field("", max_length=1000, description="Words, as typed in the search box.")),
    sort=(
        SortOrder | None,
        Field(None, description="Relevance when words are given, else newest."),
    ),
    **{
        facet.name: (
            list[str],
            Field(default_factory=list, description=f"{facet.label} (slugs; repeat for OR)."),
        )
        for facet in FACETS
    },
)


# --- Helpers


def _page_size(paging):
    """The page size asked for, within PRACTICE_API_MAX_PAGE_SIZE."""
    return min(paging.page_size, settings.PRACTICE_API_MAX_PAGE_SIZE)


def _page_of(request, paging, count, results, notices=()):
    """The list answer for one page of `count` items, with links to the pages either side."""
    size = _page_size(paging)
    num_pages = max(1, ceil(count / size))

    def link(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "page": paging.page,
        "page_size": size,
        "num_pages": num_pages,
        "next": link(paging.page + 1) if paging.page < num_pages else None,
        "previous": link(min(paging.page - 1, num_pages)) if paging.page > 1 else None,
        "notices": list(notices),
        "results": results,
    }


def _slice(queryset, paging):
    """The items of one page of `queryset`."""
    size = _page_size(paging)
    start = (paging.page - 1) * size
    return list(queryset[start : start + size])


def _api_url(request, name, pk):
    """The absolute API URL of the item `pk` of the detail route `name`."""
    return request.build_absolute_uri(reverse(f"api:{name}", kwargs={"pk": pk}))


def _practices(user):
    """The practices `user` may see, with what their records read."""
    return (
        PracticePage.objects.visible_to(user)
        .select_related("organisation_type")
        .prefetch_related(*PRACTICE_PREFETCH)
    )


def _city_refs(record):
    return [CityRef(**city) for city in record["cities"]]


def _counts(user, lookup, pages):
    """How many practices `user` may see per page of `pages`, through the M2M `lookup`."""
    rows = (
        PracticePage.objects.visible_to(user)
        .filter(**{f"{lookup}__in": pages})
        .values(lookup)
        .annotate(n=Count("pk", distinct=True))
    )
    return {row[lookup]: row["n"] for row in rows}


# --- Practices

practice_tags = ["Practices"]


@api.get(
    "/practices/",
    response={200: PracticeList},
    tags=practice_tags,
    url_name="practices",
    summary="Search the practices",
)
def list_practices(request, filters: Query[PracticeFilters], paging: Query[Paging]):
    """The practices a search finds, as the search page finds them (words and facet filters;
    OR within a filter, AND across filters), in its order."""
    form = SearchForm(request.GET, user=request.user)
    params = form.params
    size = _page_size(paging)
    notices = list(form.notices)
    params = replace(params, page=paging.page, per_page=size, counted=frozenset())
    if paging.page > params.max_page:
        raise Http404
    result = get_backend().search(params)
    if result.notice:
        notices.append(result.notice)
    pages = _practices(request.user).filter(pk__in=result.page_ids).in_bulk()
    results = []
    for pk in result.page_ids:
        page = pages.get(pk)
        if page is None:  # the index is a moment behind the database: never shown
            continue
        record = record_for(page, request.user)
        results.append(
            {
                "id": page.pk,
                "url": page.full_url,
                "api_url": _api_url(request, "practice", page.pk),
                "title": page.title,
                "key_themes": record["key_themes"],
                "cities": _city_refs(record),
                "countries": record["countries"],
                "networks": record["networks"],
                "start_year": page.start_year,
                "evidence": page.evidence_badge,
                "last_published_at": page.last_published_at,
            }
        )
    total = min(result.total, params.max_page * size)
    return _page_of(request, paging, total, results, notices)


@api.get(
    "/practices/{pk}/",
    response={200: PracticeDetail, 404: Error},
    tags=practice_tags,
    url_name="practice",
    summary="One practice, every field",
)
def get_practice(request, pk: PageId):
    """One practice with every RAN field in the interchange format's names."""
    page = get_object_or_404(_practices(request.user), pk=pk)
    adaptations = adaptations_visible_to(request.user, original=page).order_by("title")
    return {
        **record_for(page, request.user),
        "id": page.pk,
        "url": page.full_url,
        "api_url": _api_url(request, "practice", page.pk),
        "evidence": page.evidence_badge,
        "first_published_at": page.first_published_at,
        "last_published_at": page.last_published_at,
        "adapted_in": [
            {
                "id": report.pk,
                "city": report.get_parent().title,
                "api_url": _api_url(request, "adaptation", report.pk),
            }
            for report in adaptations
        ],
    }


# --- Cities

PROFILE_FIELDS = (
    "risk_landscape", "primary_focus", "stakeholders", "further_stakeholders",
    "major_contribution", "network_impact", "future_focus", "advice",
)  # fmt: skip


def _city(request, city):
    return {
        "id": city.pk,
        "url": city.full_url,
        "api_url": _api_url(request, "city", city.pk),
        "title": city.title,
        "country": city.country.code or "",
        "country_name": city.country.name or "",
        "latitude": float(city.latitude) if city.latitude is not None else None,
        "longitude": float(city.longitude) if city.longitude is not None else None,
        "networks": [network.short_name for network in city.networks.all() if network.live],
        "practices": city.practices_for(request.user).count(),
    }


def _cities(user):
    return visible_pages(CityPage.objects.all(), user).prefetch_related("networks")


@api.get("/cities/", response={200: CityList}, tags=["Cities"], url_name="cities")
def list_cities(request, paging: Query[Paging], country: CountryCode = ""):
    """The cities, alphabetically; `country` (ISO 3166-1 alpha-2) narrows them."""
    cities = _cities(request.user).order_by("title", "pk")
    if country:
        cities = cities.filter(country=country.upper())
    items = _slice(cities, paging)
    return _page_of(request, paging, cities.count(), [_city(request, c) for c in items])


@api.get("/cities/{pk}/", response={200: CityDetail, 404: Error}, tags=["Cities"], url_name="city")
def get_city(request, pk: PageId):
    """One city and its profile."""
    city = get_object_or_404(_cities(request.user), pk=pk)
    return {
        **_city(request, city),
        "intro": city.intro,
        "profile": {name: getattr(city, name) or "" for name in PROFILE_FIELDS},
        "coordinating_body": city.coordinating_body,
    }


# --- Networks


def _network(request, network, counts):
    return {
        "id": network.pk,
        "url": network.full_url,
        "api_url": _api_url(request, "network", network.pk),
        "title": network.title,
        "short_name": network.short_name,
        "website": network.website,
        "practices": counts.get(network.pk, 0),
    }


def _networks(user):
    return visible_pages(NetworkPage.objects.all(), user)


@api.get("/networks/", response={200: NetworkList}, tags=["Networks"], url_name="networks")
def list_networks(request, paging: Query[Paging]):
    """The networks, alphabetically."""
    networks = _networks(request.user).order_by("title", "pk")
    items = _slice(networks, paging)
    counts = _counts(request.user, "networks", items)
    return _page_of(
        request, paging, networks.count(), [_network(request, n, counts) for n in items]
    )


@api.get(
    "/networks/{pk}/",
    response={200: NetworkDetail, 404: Error},
    tags=["Networks"],
    url_name="network",
)
def get_network(request, pk: PageId):
    """One network."""
    network = get_object_or_404(_networks(request.user), pk=pk)
    counts = _counts(request.user, "networks", [network])
    return {**_network(request, network, counts), "description": network.description}


# --- Events


def _event(request, event):
    network = event.get_parent()
    return {
        "id": event.pk,
        "url": event.full_url,
        "api_url": _api_url(request, "event", event.pk),
        "title": event.title,
        "date": event.date,
        "end_date": event.end_date,
        "place": event.place,
        "network": network.specific.short_name if network else "",
    }


def _events(user):
    return visible_pages(EventPage.objects.all(), user)


@api.get("/events/", response={200: EventList}, tags=["Events"], url_name="events")
def list_events(request, paging: Query[Paging]):
    """The events, newest first."""
    events = _events(request.user).order_by("-date", "title", "pk")
    items = _slice(events, paging)
    return _page_of(request, paging, events.count(), [_event(request, e) for e in items])


@api.get(
    "/events/{pk}/", response={200: EventDetail, 404: Error}, tags=["Events"], url_name="event"
)
def get_event(request, pk: PageId):
    """One event and the practices presented there that the reader may see."""
    event = get_object_or_404(_events(request.user), pk=pk)
    practices = (
        PracticePage.objects.visible_to(request.user)
        .filter(presented_at__event=event)
        .order_by("title", "pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    return {**_event(request, event), "summary": event.summary, "practices": list(practices)}


# --- Adaptation reports


def _adaptation(request, report, originals):
    original = originals.get(report.original_id)
    shows_contact = report.contact_visible_to(request.user)
    return {
        "id": report.pk,
        "url": report.full_url,
        "api_url": _api_url(request, "adaptation", report.pk),
        "title": report.title,
        "city": report.get_parent().title,
        "original": (
            {
                "id": original.pk,
                "title": original.title,
                "api_url": _api_url(request, "practice", original.pk),
            }
            if original
            else None
        ),
        "started_year": report.started_year,
        "what_adapted": report.what_adapted,
        "cost": report.cost,
        "obstacles": report.obstacles,
        "results": report.results,
        "contact_name": report.contact_name if shows_contact else "",
        "contact_email": report.contact_email if shows_contact else "",
    }


def _originals(user, reports):
    """The originals of `reports` that `user` may see, by id."""
    ids = {report.original_id for report in reports if report.original_id}
    return PracticePage.objects.visible_to(user).filter(pk__in=ids).in_bulk()


@api.get(
    "/adaptations/",
    response={200: AdaptationList},
    tags=["Adaptation reports"],
    url_name="adaptations",
)
def list_adaptations(request, paging: Query[Paging]):
    """Cities' reports of adapting other cities' practices, newest first."""
    reports = adaptations_visible_to(request.user).order_by("-first_published_at", "pk")
    items = _slice(reports, paging)
    originals = _originals(request.user, items)
    return _page_of(
        request, paging, reports.count(), [_adaptation(request, r, originals) for r in items]
    )


@api.get(
    "/adaptations/{pk}/",
    response={200: AdaptationDetail, 404: Error},
    tags=["Adaptation reports"],
    url_name="adaptation",
)
def get_adaptation(request, pk: PageId):
    """One adaptation report."""
    report = get_object_or_404(adaptations_visible_to(request.user), pk=pk)
    return _adaptation(request, report, _originals(request.user, [report]))


# --- Vocabularies

VOCABULARIES = {
    "key-themes": (KeyTheme, "Key themes"),
    "target-audiences": (TargetAudience, "Target audiences"),
    "organisation-types": (OrganisationType, "Types of organisation"),
    "funding-programmes": (FundingProgramme, "Funding programmes"),
    "tags": (PracticeTag, "Tags"),
}


@api.get(
    "/vocabularies/",
    response={200: list[Vocabulary]},
    tags=["Vocabularies"],
    url_name="vocabularies",
)
def list_vocabularies(request):
    """The vocabularies whose slugs the practice filters take."""
    return [
        {
            "name": name,
            "label": label,
            "api_url": request.build_absolute_uri(reverse("api:vocabulary", kwargs={"name": name})),
        }
        for name, (_model, label) in VOCABULARIES.items()
    ]


@api.get(
    "/vocabularies/{name}/",
    response={200: list[Term], 404: Error},
    tags=["Vocabularies"],
    url_name="vocabulary",
)
def list_terms(request, name: Annotated[str, Path(..., max_length=40)]):
    """The terms of one vocabulary, alphabetically. Tags are listed only where a practice the
    reader may see carries them (a tag is free text that a draft may have brought in)."""
    if name not in VOCABULARIES:
        raise Http404
    model, _label = VOCABULARIES[name]
    if model is PracticeTag:
        used = PracticePage.objects.visible_to(request.user).values("pk")
        tags = PracticeTag.objects.filter(tagged_practices__content_object__in=used).distinct()
        return [{"slug": tag.slug, "label": tag.name} for tag in tags.order_by("name")]
    return [
        {"slug": term.slug, "label": term.label, "active": term.active}
        for term in model.objects.order_by("label")
    ]

"""The search page: the practices index served as a faceted search (a GET form, no JavaScript)."""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext

from practices.models import CityPage, PracticePage

from . import downloads
from .backends import get_backend
from .backends.base import FacetOption, SearchHit, SearchParams, SortOrder
from .embedders import get_embedder
from .facets import FACETS
from .forms import SearchForm

FACET_OPTIONS_SHOWN = 8  # options listed before "more"; the rest fold away
# A facet lists its commonest options only (and every ticked one): at 10,000 practices a
# full list is hundreds of cities and tags, too long to scan and costly to render.
FACET_OPTIONS_LISTED = 50
PAGE_LINKS_AROUND = 2  # page links either side of the current one
# The PracticePage fields a result card reads, and those its URL is built from.
CARD_FIELDS = (
    "title", "url_path", "path", "depth", "last_update_year", "country_of_origin",
    "evaluation_type", "peer_reviewed",
)  # fmt: skip


@dataclass(frozen=True)
class Card:
    """A result card: the page and its hit (score, highlighted snippet)."""

    practice: PracticePage
    hit: SearchHit


@dataclass(frozen=True)
class FacetChoice:
    """A facet option as the form shows it: the option and the noun read after its count."""

    option: FacetOption
    noun: str


@dataclass(frozen=True)
class Chip:
    """A selected filter shown above the results, with the link that removes it."""

    facet_label: str
    label: str
    remove_query: str


@dataclass(frozen=True)
class WayOut:
    """A way to widen a search that found little: what to drop, and what it would find."""

    chip: Chip
    count: int


# Results below which the page suggests how to widen the search (an empty or thin page).
THIN_RESULTS = 3


def _ways_out(backend, params, result, chips):
    """For a search that found fewer than THIN_RESULTS practices: each filter (or the words)
    whose removal would find more, with its count, most first; and the key themes the reader
    can browse instead (with their counts). Empty lists otherwise."""
    if result.total >= THIN_RESULTS:
        return [], []
    ways = []
    for chip, widened in _widened(params, result, chips):
        # Only the total is read: no facet is counted.
        total = backend.search(replace(widened, page=1, per_page=1, counted=frozenset())).total
        if total > result.total:
            ways.append(WayOut(chip, total))
    ways.sort(key=lambda way: -way.count)
    everything = backend.search(
        SearchParams(user=params.user, per_page=1, counted=frozenset({"theme"}))
    )
    return ways, [option for option in everything.facets["theme"] if option.count]


def _widened(params, result, chips):
    """(chip, the search without what the chip stands for) for every chip."""
    chips = iter(chips)
    if params.text:
        yield next(chips), replace(params, text="")
    for facet in FACETS:
        for option in result.facets.get(facet.name) or []:
            if option.selected:
                selected = dict(params.selected)
                selected[facet.name] = selected[facet.name] - {option.slug}
                yield next(chips), replace(params, selected=selected)


def practice_search(request, index_page):
    """Render the faceted search for the practices index page."""
    form = SearchForm(request.GET, user=request.user)
    export_format = request.GET.get("format")
    if export_format in downloads.FORMATS:
        return downloads.download(request, form, export_format)
    params = form.params
    if form.renamed:
        # A link with a slug a term had before: the same search under the current slugs, for
        # good, so bookmarks and search engines update (feeds and digests resolve it alike).
        response = HttpResponsePermanentRedirect(
            f"{request.path}?{form.querystring(page=params.page)}"
        )
        # Browsers keep a 301 for ever unless told otherwise; a slug changed back would then
        # loop between the two, so they keep it a day.
        response["Cache-Control"] = "max-age=86400"
        return response
    backend = get_backend()
    result = backend.search(params)
    notices = list(form.notices)
    if form.requested_page > result.num_pages:
        if result.num_pages == params.max_page:
            notices.append(
                gettext("Results go up to page %(last)d; narrow the search to see more.")
                % {"last": params.max_page}
            )
        elif result.total:
            notices.append(
                gettext("There is no page %(asked)d; this is the last page, %(last)d.")
                % {"asked": form.requested_page, "last": result.num_pages}
            )
        if params.page != result.num_pages:
            result = backend.search(replace(params, page=result.num_pages))
    if result.notice:
        notices.append(result.notice)

    chips = _chips(form, result)
    ways_out, themes_to_browse = _ways_out(backend, params, result, chips)
    context = {
        "page": index_page,
        "self": index_page,
        "request": request,
        "form": form,
        "query": form.cleaned_data.get("q", ""),
        "result": result,
        "cards": _cards(result, request.user),
        "facet_groups": _facet_groups(result),
        "chips": chips,
        # The filters ticked (not the words): the count on the phone's "Filters (n)" disclosure.
        "filter_count": len(chips) - bool(form.cleaned_data.get("q")),
        "ways_out": ways_out,
        "themes_to_browse": themes_to_browse,
        "notices": notices,
        "sort_choices": SortOrder.choices,
        "current_sort": params.sort,
        "pagination": _pagination(form, result),
        "clear_query": form.querystring(keep_text=False, keep_filters=False),
        # This page of the search by its canonical link, to come back to after adding to
        # the shortlist or signing in (the URL as typed may hold values the search ignored).
        "canonical_url": f"{request.path}?{form.querystring(page=params.page)}",
        # The search without its page: its Atom feed and what a saved search keeps.
        "follow_query": form.querystring(),
        "bundle_query": _bundle_query(result),
        "suggestion_query": (form.querystring(text=result.suggestion) if result.suggestion else ""),
        "by_meaning": get_embedder() is not None,
    }
    return TemplateResponse(request, "search/practice_search.html", context)


def _bundle_query(result):
    """The query string of the PDF bundle of this page of results ("" when there are none).

    One page of results is at most RESULTS_PER_PAGE practices, within the bundle cap; the
    bundle view applies the visibility rule again.
    """
    if not result.page_ids:
        return ""
    return urlencode(
        {"ids": ",".join(str(pk) for pk in result.page_ids), "title": gettext("Search results")}
    )


def _cards(result, user):
    """The hits with their pages, loaded again through the visibility rule, in hit order.

    Checking visibility here as well means a stale index can never show a hidden practice.
    """
    practices = (
        PracticePage.objects.visible_to(user)
        .filter(pk__in=result.page_ids)
        # Only what a card shows (and its URL needs): the long texts stay in the database.
        .only(*CARD_FIELDS)
        .prefetch_related(Prefetch("cities", queryset=CityPage.objects.only("title")), "key_themes")
        .in_bulk()
    )
    return [Card(practices[hit.page_id], hit) for hit in result.hits if hit.page_id in practices]


def _facet_groups(result):
    """Facets with at least one option, each option with its accessible count wording.

    A facet lists hundreds of cities and tags at 10,000 practices, so the words are made
    here once per option rather than by a template tag per option (docs/benchmarks.md).
    """
    groups = []
    for facet in FACETS:
        options = result.facets.get(facet.name) or []
        if not options:
            continue
        listed = options[:FACET_OPTIONS_LISTED] + [
            option for option in options[FACET_OPTIONS_LISTED:] if option.selected
        ]
        folded = listed[FACET_OPTIONS_SHOWN:]
        groups.append(
            {
                "facet": facet,
                "options": [
                    FacetChoice(option, ngettext("practice", "practices", option.count))
                    for option in listed
                ],
                "unlisted": len(options) - len(listed),
                "fold_at": FACET_OPTIONS_SHOWN if folded else None,
                "more": ngettext("%(count)d more", "%(count)d more", len(folded))
                % {"count": len(folded)},
                "open": any(option.selected for option in folded),
            }
        )
    return groups


def _chips(form, result):
    """One removable chip per selected filter (and one for the words)."""
    chips = []
    query = form.cleaned_data.get("q")
    if query:
        chips.append(Chip(gettext("Words"), query, form.querystring(remove=("q", None))))
    for facet in FACETS:
        for option in result.facets.get(facet.name) or []:
            if option.selected:
                chips.append(
                    Chip(
                        str(facet.label),
                        option.label,
                        form.querystring(remove=(facet.name, option.slug)),
                    )
                )
    return chips


def _pagination(form, result):
    """Links to the previous, next and nearby pages, each keeping the whole search."""
    current, last = result.params.page, result.num_pages
    if last <= 1:
        return None
    numbers = sorted(
        {1, last}
        | set(
            range(max(1, current - PAGE_LINKS_AROUND), min(last, current + PAGE_LINKS_AROUND) + 1)
        )
    )
    links, previous_number = [], 0
    for number in numbers:
        if number - previous_number > 1:
            links.append({"gap": True})
        links.append(
            {"number": number, "query": form.querystring(page=number), "current": number == current}
        )
        previous_number = number
    return {
        "current": current,
        "last": last,
        "previous": form.querystring(page=current - 1) if current > 1 else None,
        "next": form.querystring(page=current + 1) if current < last else None,
        "links": links,
    }

"""Download any search: its results in the interchange format, as CSV or JSON.

`format=csv` or `format=json` on a search URL answers with every practice that search finds
(all pages, up to PRACTICE_DOWNLOAD_MAX), as the reader may see them: the search engine
decides what matches for this user, the visibility rule is applied again to the pages, and
contact details follow consent (practices.interchange.record_for). CSV is the importer's
spreadsheet layout (one row a practice, several values joined by `|`, a `url` column for the
reader), UTF-8, with formula-like cells quoted; JSON is a list of interchange records.
"""

import csv
import io

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from practices.conditional import per_collection_state
from practices.exports import neutralise_formula
from practices.importing.spreadsheet import COLUMNS, record_to_row
from practices.interchange import record_for
from practices.limits import counted, seconds_to_next_window, visitor_of
from practices.models import PracticePage

from .backends import matching_ids

FORMATS = ("csv", "json")


def found_practices(form, user):
    """The practices the search of `form` finds that `user` may see, in its order."""
    ids = matching_ids(form.params, limit=settings.PRACTICE_DOWNLOAD_MAX)
    pages = (
        PracticePage.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("organisation_type")
        .prefetch_related(
            "key_themes", "target_audiences", "cities", "networks", "funding_programmes", "tags",
            "presented_at",
        )
        .in_bulk()
    )  # fmt: skip
    return [pages[pk] for pk in ids if pk in pages]


def may_download(request):
    """Whether this client may have one more download now (each reads up to
    PRACTICE_DOWNLOAD_MAX practices: PRACTICE_DOWNLOADS_PER_VISITOR per window)."""
    return counted(
        f"search.downloads:{visitor_of(request)}",
        settings.PRACTICE_DOWNLOADS_PER_VISITOR,
        settings.PRACTICE_DOWNLOAD_WINDOW,
    )


def limited():
    """The answer to a client past its download limit: when to come back."""
    wait = seconds_to_next_window(settings.PRACTICE_DOWNLOAD_WINDOW)
    return HttpResponse(
        _("Too many downloads from here for now. Please try again in %(minutes)d minutes.")
        % {"minutes": -(-wait // 60)},
        status=429,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": str(wait)},
    )


def download(request, form, export_format):
    """The response holding the search's results in `export_format` ("csv" or "json"),
    counted against the client's limit even when it is an answer kept from before."""
    if not may_download(request):
        return limited()
    return _download(request, form, export_format)


@per_collection_state
def _download(request, form, export_format):
    user = request.user
    practices = found_practices(form, user)
    records = [(page, record_for(page, user)) for page in practices]
    headers = {"Content-Disposition": f'attachment; filename="practices.{export_format}"'}
    if export_format == "json":
        data = [{"page_id": page.pk, **record} for page, record in records]
        return JsonResponse(
            data, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 1},
            headers=headers,
        )  # fmt: skip
    out = io.StringIO()
    columns = [*COLUMNS, "url"]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for page, record in records:
        row = record_to_row(record, page_id=page.pk) | {"url": page.full_url}
        writer.writerow({key: neutralise_formula(value) for key, value in row.items()})
    return HttpResponse(
        out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8", headers=headers
    )

"""Serve sheets, factsheets and bundles with the same privacy rules as the pages.

A practice sheet and a city factsheet are served at /sheets/practice/<id>/ and
/sheets/city/<id>/: the page's id is all these routes need, so a stored sheet is sent without
Wagtail's page routing (which cost more than the rest of a cached download). They ask
visibility.page_visible(), the rule every listing uses; a members-only sheet sends anonymous
readers to the login page, as the page itself does. The old page routes (`<page url>pdf/`)
redirect there. Bundles are not a page: the bundle view filters with
PracticePage.objects.visible_to() itself, and the task worker renders them (bundles.py).
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from practices.models import CityPage, PracticePage
from practices.visibility import page_visible

from .bundles import BundleState, bundle_items, request_bundle, seconds_to_next_window
from .cache import bundle_storage_name, open_city_factsheet, open_practice_sheet
from .forms import BundleForm, bundle_limit_message

# How often the "being prepared" page reloads itself, in seconds.
BUNDLE_REFRESH_SECONDS = 2


def private_per_reader(request, response):
    """Make shared caches keep `response` apart per reader: one URL, different files."""
    patch_vary_headers(response, ["Cookie"])
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    return response


def pdf_response(request, pdf, filename):
    """An application/pdf download of the bytes `pdf`, named `filename`."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return private_per_reader(request, response)


def pdf_file_response(request, handle, filename):
    """An application/pdf download streamed from the open file `handle`, named `filename`.

    FileResponse sends the file in blocks (or through the server's sendfile) and closes it;
    a stored sheet is never read into memory as a whole.
    """
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=filename
    )
    return private_per_reader(request, response)


def visible_page_or_refusal(request, model, page_id):
    """Return (page, None) when the live `model` page `page_id` is visible to the reader, else
    (None, response): the login page for an anonymous reader of restricted content.

    Raises Http404 for an id that is not a live page of that type, and for a signed-in reader
    the page is closed to, without saying which (that would tell what exists).
    """
    page = model.objects.live().filter(pk=page_id).first()
    if page is None:
        raise Http404
    if page_visible(page, request.user):
        return page, None
    if not request.user.is_authenticated:
        return None, redirect_to_login(
            request.get_full_path(), login_url=settings.WAGTAIL_FRONTEND_LOGIN_URL
        )
    raise Http404


@require_GET
def practice_sheet(request, page_id):
    """The PDF sheet of practice `page_id`, as this reader may see it."""
    page, refusal = visible_page_or_refusal(request, PracticePage, page_id)
    if refusal:
        return refusal
    handle, _rendered = open_practice_sheet(page, request.user)
    return pdf_file_response(request, handle, f"{page.slug}.pdf")


@require_GET
def city_factsheet(request, page_id):
    """The PDF factsheet of city `page_id`, listing the practices this reader may see."""
    page, refusal = visible_page_or_refusal(request, CityPage, page_id)
    if refusal:
        return refusal
    handle, _rendered = open_city_factsheet(page, request.user)
    return pdf_file_response(request, handle, f"{page.slug}-factsheet.pdf")


def bundle_problem(request, message, status):
    """An HTML page explaining why no bundle could be made."""
    context = {"message": message, "bundle_max": settings.PRACTICE_BUNDLE_MAX}
    return render(request, "practices/pdf/bundle_problem.html", context, status=status)


@require_GET
def bundle(request):
    """A bundle of the practices chosen with ?ids=12,15,31 (and an optional ?title=)."""
    form = BundleForm(request.GET)
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return bundle_problem(request, message, status=400)
    ids = form.cleaned_data["ids"]
    criteria = [
        (
            _("Selection"),
            ngettext(
                "%(count)d practice, chosen one by one",
                "%(count)d practices, chosen one by one",
                len(ids),
            )
            % {"count": len(ids)},
        )
    ]
    return bundle_response(request, ids, title=form.cleaned_data["title"], criteria=criteria)


def wants_bundle_state(request):
    """True for the waiting page's script asking how its bundle is doing (Accept: JSON)."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def bundle_state_response(request, state, *, message="", status=None):
    """The bundle's state as JSON for the waiting page's script: {"state": "queued"} (202)
    until the PDF is there ("ready"), when the script loads the page's URL to download it.
    A bundle that will not come ("failed", "limited", "empty") carries the page's message."""
    body = {"state": state, "message": str(message)} if message else {"state": state}
    if status is None:
        status = 202 if state == BundleState.QUEUED else 200
    response = JsonResponse(body, status=status)
    if state == BundleState.QUEUED:
        response["Retry-After"] = str(BUNDLE_REFRESH_SECONDS)
    patch_cache_control(response, no_store=True)
    patch_vary_headers(response, ["Accept"])
    return private_per_reader(request, response)


def bundle_response(request, practice_ids, *, title="", criteria=()):
    """The bundle PDF of `practice_ids` (in that order) as request.user may see them, or the
    page saying it is being prepared (it reloads itself until the PDF is there).

    The entry point for other views too: the search page passes the current result's ids and
    its filters as `criteria` ((label, value) pairs shown on the cover). Ids the reader may not
    see are left out without saying which (that would leak what exists); if none is left, the
    answer is a 404 page with a message. More ids than PRACTICE_BUNDLE_MAX give a 400 page.
    The worker renders the PDF (bundles.render_bundle_task); the web process never does.
    """
    practice_ids = list(dict.fromkeys(practice_ids))
    if len(practice_ids) > settings.PRACTICE_BUNDLE_MAX:
        return bundle_problem(request, bundle_limit_message(len(practice_ids)), status=400)
    items = bundle_items(practice_ids, request.user)
    title = title or _("Practice sheets")
    left_out = len(practice_ids) - len(items)
    state, handle = BundleState.EMPTY, None
    if items:
        name = bundle_storage_name(items, title=title, criteria=criteria, left_out=left_out)
        state, handle = request_bundle(
            request, name, items, title=title, criteria=criteria, left_out=left_out
        )
    if state == BundleState.READY and wants_bundle_state(request):
        handle.close()  # the script only asks whether it is ready; it downloads next
        return bundle_state_response(request, state)
    if state == BundleState.READY:
        today = timezone.localdate()
        response = pdf_file_response(request, handle, f"practice-sheets-{today:%Y-%m-%d}.pdf")
        patch_vary_headers(response, ["Accept"])  # the same URL answers the script in JSON
        return response
    if state == BundleState.QUEUED and wants_bundle_state(request):
        return bundle_state_response(request, state)
    if state == BundleState.QUEUED:
        context = {"count": len(items), "refresh_seconds": BUNDLE_REFRESH_SECONDS}
        response = render(request, "practices/pdf/bundle_waiting.html", context, status=202)
        response["Retry-After"] = str(BUNDLE_REFRESH_SECONDS)
        patch_cache_control(response, no_store=True)
        patch_vary_headers(response, ["Accept"])
        return private_per_reader(request, response)
    message, status, retry_after = bundle_state_problem(state)
    if wants_bundle_state(request):
        # The script shows the message where the waiting text was: reloading would ask again
        # (a failed render would be queued once more and count against the visitor's limit).
        response = bundle_state_response(request, state, message=message, status=status)
    else:
        response = bundle_problem(request, message, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def bundle_state_problem(state):
    """(message, HTTP status, Retry-After seconds or None) for a bundle that will not come."""
    if state == BundleState.LIMITED:
        wait = seconds_to_next_window()
        message = _(
            "You have asked for many new PDF bundles in a short time. Try again in "
            "%(minutes)d minutes, or download the practices' sheets one by one meanwhile."
        ) % {"minutes": max(1, round(wait / 60))}
        return message, 429, wait
    if state == BundleState.FAILED:
        message = _(
            "The PDF could not be made this time. Reload this page to try again; if it "
            "fails again, download the practices' sheets one by one."
        )
        return message, 503, None
    message = _(
        "None of the requested practices exists or is available to you. "
        "Check the link, or sign in if you are a member."
    )
    return message, 404, None

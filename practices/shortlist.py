"""The shortlist: practices a visitor keeps to compare, in their session (no account needed).

"Add to shortlist" on result cards and practice pages posts here; `/shortlist/` lists them,
compares up to COMPARED side by side and offers them as one PDF (the bundle, rendered by the
worker). The session holds only page ids; every page of the shortlist narrows them to what
the visitor may see now (PracticePage.objects.visible_to), so a practice unpublished or
restricted since it was added simply drops out.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import CityPage, PracticePage

SESSION_KEY = "practices.shortlist"
COMPARED = 4  # practices side by side


def shortlist_ids(request):
    """The ids in the visitor's shortlist, in the order they were added (no query)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return []  # no session yet: do not make one (nor vary every page on the cookie)
    return [pk for pk in request.session.get(SESSION_KEY, []) if isinstance(pk, int)]


def shortlisted(request):
    """The shortlisted practices the visitor may see, in the order they were added."""
    ids = shortlist_ids(request)
    pages = (
        PracticePage.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("organisation_type")
        .prefetch_related(
            Prefetch("cities", queryset=CityPage.objects.only("title")),
            "key_themes",
            "target_audiences",
        )
        .in_bulk()
    )
    return [pages[pk] for pk in ids if pk in pages]


def _back(request, fallback):
    """Where to return after a change: the page the form was on, if it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _practice_from(request):
    """The visible practice a shortlist form names, or None."""
    try:
        pk = int(request.POST.get("practice", ""))
    except ValueError:
        return None
    return PracticePage.objects.visible_to(request.user).filter(pk=pk).first()


@require_POST
def add_view(request):
    """Add one practice to the visitor's shortlist."""
    practice = _practice_from(request)
    if practice is None:
        return HttpResponseBadRequest(_("There is no such practice to add."))
    ids = shortlist_ids(request)
    limit = settings.PRACTICE_SHORTLIST_MAX
    if practice.pk in ids:
        messages.info(
            request, _("“%(title)s” is on your shortlist already.") % {"title": practice.title}
        )
    elif len(ids) >= limit:
        messages.error(
            request,
            _("Your shortlist holds %(limit)d practices, the most it takes. Remove one first.")
            % {"limit": limit},
        )
    else:
        request.session[SESSION_KEY] = [*ids, practice.pk]
        messages.success(
            request, _("“%(title)s” is on your shortlist.") % {"title": practice.title}
        )
    return redirect(_back(request, reverse("shortlist")))


@require_POST
def remove_view(request):
    """Take one practice off the shortlist (or all of them with `practice=all`)."""
    if request.POST.get("practice") == "all":
        request.session[SESSION_KEY] = []
        return redirect(_back(request, reverse("shortlist")))
    try:
        pk = int(request.POST.get("practice", ""))
    except ValueError:
        return HttpResponseBadRequest(_("There is no such practice to remove."))
    request.session[SESSION_KEY] = [i for i in shortlist_ids(request) if i != pk]
    return redirect(_back(request, reverse("shortlist")))


def shortlist_view(request):
    """The shortlist, a side-by-side comparison, and the whole list as one PDF."""
    practices = shortlisted(request)
    try:
        chosen = {int(pk) for pk in request.GET.getlist("compare")}
    except ValueError:
        chosen = set()
    compared = [p for p in practices if p.pk in chosen] if chosen else practices
    compared = compared[:COMPARED]
    bundle_url = ""
    if practices:
        ids = ",".join(str(p.pk) for p in practices)
        bundle_url = f"{reverse('sheets:bundle')}?ids={ids}"
    return TemplateResponse(
        request,
        "practices/shortlist.html",
        {
            "practices": practices,
            "compared": compared,
            "compared_ids": {p.pk for p in compared},
            "most_compared": COMPARED,
            "bundle_url": bundle_url,
        },
    )


def shortlist_count(request):
    """Template context: how many practices the visitor keeps (for the header link)."""
    return {"shortlist_count": len(shortlist_ids(request))}


def urls():
    """The shortlist's URLs."""
    return [
        path("", shortlist_view, name="shortlist"),
        path("add/", add_view, name="shortlist_add"),
        path("remove/", remove_view, name="shortlist_remove"),
    ]

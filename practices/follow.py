"""Follow a search: an Atom feed for every search, and e-mail digests of saved searches.

Any search URL's query string also works at `/feeds/search.atom`: the newest practices that
match, as anyone may see them (feeds are cached and shared, like the site feed). Signed-in
users save a search (its canonical query string) with a weekly or monthly digest; the
`send_search_digests` command, run daily by cron, queues one task per digest that is due,
and the worker e-mails the practices published or updated since the last one that match
the search and that the user may see. Each e-mail has a signed unsubscribe link that works
without signing in.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.mail import EmailMessage
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks import task

from practicehub.tasks import retried
from search.backends import matching_ids
from search.backends.base import SortOrder
from search.facets import FACETS
from search.forms import SearchForm

from .curation import preferred_language
from .feeds import LatestPracticesFeed
from .models import PracticePage, SavedSearch

FEED_SIZE = 20
# The most results a digest looks through for what is new (newest first).
DIGEST_SCAN = 500
PERIODS = {
    SavedSearch.Frequency.WEEKLY: timedelta(days=7),
    SavedSearch.Frequency.MONTHLY: timedelta(days=30),
}
UNSUBSCRIBE_SALT = "practices.saved-search.unsubscribe"


def search_form(query_string, user):
    """The search form of a query string, bound for `user`."""
    return SearchForm(QueryDict(query_string), user=user)


def canonical_query(form):
    """The query string that names a search: words, filters and sort, no page."""
    return form.querystring()


def describe(form):
    """A search in words: “youth” · Key theme: Online radicalisation."""
    form.is_valid()
    data = form.cleaned_data
    parts = [f"“{data['q']}”"] if data.get("q") else []
    for facet in FACETS:
        slugs = data.get(facet.name) or []
        if slugs:
            labels = facet.labels(slugs)
            parts.append(f"{facet.label}: {', '.join(labels[s] for s in slugs if s in labels)}")
    return " · ".join(parts) or _("All practices")


# --- The feed of a search


class SearchFeed(LatestPracticesFeed):
    """The newest practices a search finds, as Atom 1.0 (what anyone may see)."""

    feed_type = Atom1Feed

    def get_object(self, request):
        """The search, from the query string (as anonymous: the feed is shared)."""
        return search_form(request.GET.urlencode(), AnonymousUser())

    def title(self, form):
        """Practice Hub: the search in words."""
        return _("Practice Hub: %(search)s") % {"search": describe(form)}

    def link(self, form):
        """The search page itself."""
        return f"/practices/?{canonical_query(form)}"

    def subtitle(self, form):
        """What the feed holds."""
        return _("The newest practices that match this search on Practice Hub.")

    description = subtitle

    def items(self, form):
        """The newest matches, visible to anyone."""
        ids = matching_ids(form.params, limit=FEED_SIZE, sort=SortOrder.NEWEST)
        pages = PracticePage.objects.visible_to(AnonymousUser()).in_bulk(ids)
        return [pages[pk] for pk in ids if pk in pages]


# --- Saved searches


class SaveSearchForm(forms.Form):
    """The search to save and how often to hear about it."""

    query = forms.CharField(max_length=2000, required=False)
    frequency = forms.ChoiceField(choices=SavedSearch.Frequency.choices)


def remember_language(user):
    """Keep the page's language as a member's e-mail language (members have no admin to set it)."""
    from wagtail.users.models import UserProfile

    # An editor chose their language in the admin's account settings: theirs stays.
    if user.has_perm("wagtailadmin.access_admin"):
        return
    language = translation.get_language()
    if language in dict(settings.LANGUAGES):
        UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": language})


@require_POST
@login_required
def save_view(request):
    """Save the search the visitor is on, with the digest frequency they chose."""
    form = SaveSearchForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose how often you want the e-mail."))
    search = search_form(form.cleaned_data["query"], request.user)
    query = canonical_query(search)
    saved, created = SavedSearch.objects.update_or_create(
        user=request.user,
        query=query,
        defaults={
            "frequency": form.cleaned_data["frequency"],
            "description": describe(search)[:500],
        },
    )
    remember_language(request.user)
    if not request.user.email:
        messages.warning(
            request, _("Your account has no e-mail address, so no digest can be sent yet.")
        )
    messages.success(
        request,
        (_("Search saved: %(search)s. %(how)s you get an e-mail with what is new.") if created
         else _("Search updated: %(search)s. %(how)s you get an e-mail with what is new."))
        % {"search": saved.description, "how": saved.get_frequency_display()},
    )  # fmt: skip
    # The search page in the visitor's language (/fr/practices/ for a French visitor).
    return redirect(f"{reverse('wagtail_serve', args=['practices/'])}?{query}")


@login_required
def saved_list_view(request):
    """The user's saved searches: change how often, or stop."""
    if request.method == "POST":
        saved = get_object_or_404(
            SavedSearch, pk=request.POST.get("search") or 0, user=request.user
        )
        if request.POST.get("action") == "delete":
            saved.delete()
            messages.success(request, _("You no longer follow: %(search)s.") % {"search": saved})
        elif request.POST.get("frequency") in SavedSearch.Frequency.values:
            saved.frequency = request.POST["frequency"]
            saved.save(update_fields=["frequency"])
            messages.success(request, _("Saved: %(search)s.") % {"search": saved})
        return redirect("saved_searches")
    return TemplateResponse(
        request,
        "practices/saved_searches.html",
        {
            "searches": request.user.saved_searches.all(),
            "frequencies": SavedSearch.Frequency.choices,
        },
    )


def unsubscribe_token(saved):
    """The signed token of a saved search's unsubscribe link."""
    return signing.dumps(saved.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_view(request, token):
    """Stop a digest from its e-mail's link, signed in or not (a button, so that mail
    scanners that open links do not unsubscribe anyone)."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404(_("This unsubscribe link is not valid.")) from None
    saved = SavedSearch.objects.filter(pk=pk).first()
    done = saved is None
    if request.method == "POST" and saved is not None:
        saved.delete()
        done = True
    return TemplateResponse(request, "practices/unsubscribe.html", {"saved": saved, "done": done})


# --- Digests


def is_due(saved, now):
    """Whether a saved search's digest should go out now."""
    since = saved.last_sent_at or saved.created_at
    return now - since >= PERIODS[saved.frequency]


def queue_due_digests(now=None):
    """Queue the digest task of every saved search that is due; return how many."""
    now = now or timezone.now()
    due = [
        saved.pk
        for saved in SavedSearch.objects.filter(user__is_active=True).exclude(user__email="")
        if is_due(saved, now)
    ]
    for pk in due:
        send_search_digest.enqueue(pk)
    return len(due)


def digest_practices(saved, since):
    """The practices published or updated since `since` that match and the user may see."""
    user = saved.user
    recent = set(
        PracticePage.objects.visible_to(user)
        .filter(last_published_at__gt=since)
        .values_list("pk", flat=True)
    )
    if not recent:
        return []
    ids = [
        pk
        for pk in matching_ids(
            search_form(saved.query, user).params, limit=DIGEST_SCAN, sort=SortOrder.NEWEST
        )
        if pk in recent
    ]
    pages = PracticePage.objects.in_bulk(ids)
    return [pages[pk] for pk in ids if pk in pages]


def search_page_path():
    """The search page's path in the active language (/practices/, /fr/practices/…)."""
    return reverse("wagtail_serve", args=["practices/"])


@task(takes_context=True)
@retried
def send_search_digest(saved_id):
    """E-mail one saved search's new and updated practices (nothing when there are none)."""
    saved = SavedSearch.objects.select_related("user").filter(pk=saved_id).first()
    if saved is None:
        return 0
    now = timezone.now()
    practices = digest_practices(saved, saved.last_sent_at or saved.created_at)
    if practices:
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        # The member's chosen language; the links inside carry its prefix (/fr/practices/…).
        with translation.override(preferred_language(saved.user)):
            context = {
                "saved": saved,
                "practices": practices,
                "search_url": f"{base}{search_page_path()}?{saved.query}",
                "manage_url": base + reverse("saved_searches"),
                "unsubscribe_url": base
                + reverse("saved_search_unsubscribe", args=[unsubscribe_token(saved)]),
            }
            EmailMessage(
                subject=_("New on Practice Hub for your search: %(search)s")
                % {"search": saved.description},
                body=render_to_string("practices/email/search_digest.txt", context),
                to=[saved.user.email],
                headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"},
            ).send()
    SavedSearch.objects.filter(pk=saved.pk).update(last_sent_at=now)
    return len(practices)


def urls():
    """The saved searches' URLs, under /searches/."""
    return [
        path("", saved_list_view, name="saved_searches"),
        path("save/", save_view, name="saved_search_save"),
        path("unsubscribe/<str:token>/", unsubscribe_view, name="saved_search_unsubscribe"),
    ]

"""The current page in each interface language: the header's switch and hreflang alternates."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

register = template.Library()


def _root_url(request):
    """The site's address (its Site's root_url), for absolute hreflang URLs."""
    site = Site.find_for_request(request)
    if site is not None and site.root_url:
        return site.root_url.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")


@register.simple_tag(takes_context=True)
def language_versions(context):
    """Each interface language's address of this page, query string kept (docs/i18n.md).

    The query is the page's `canonical_url` one when it sets one. Each item has `code`,
    `name` (in its own language), `url` (relative, for the switch), `absolute_url` (for
    hreflang) and `current`. Without a request (an e-mail, a PDF) there is nothing to switch.
    """
    request = context.get("request")
    if request is None:
        return []
    path, query = request.path, request.META.get("QUERY_STRING", "")
    # A page that cleans its query (the search drops filters that no longer exist) gives its
    # own address: the other languages then link to the cleaned search, not the raw one.
    canonical = context.get("canonical_url")
    if canonical:
        path, _sep, query = str(canonical).partition("?")
    current = translation.get_language()
    root = _root_url(request)
    versions = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        if query:
            url = f"{url}?{query}"
        versions.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute_url": root + url,
                "current": code == current,
            }
        )
    return versions


@register.filter
def differs_from_language(content_language, interface_language):
    """Whether a text in `content_language` is in another language than the interface's."""
    if not content_language or not interface_language:
        return False
    primary = str(content_language).lower().split("-")[0]
    return primary != str(interface_language).lower().split("-")[0]


# Languages that write a language's name in lower case inside a sentence ("décrite en anglais",
# "descrita en inglés"); Django's translated names are capitalised as in a list.
LOWER_CASE_LANGUAGE_NAMES = {"fr", "es"}


@register.simple_tag
def language_name_in_sentence(code):
    """The name of language `code` in the interface's language, cased for use mid-sentence."""
    try:
        name = translation.get_language_info(code)["name_translated"]
    except KeyError:  # a code Django has no name for: the code itself says the most
        return code
    interface = (translation.get_language() or "en").split("-")[0]
    return name.lower() if interface in LOWER_CASE_LANGUAGE_NAMES else name


# The section pages' standard titles (migration 0003, roles.UNFILED_TITLE): page titles are
# content, but these four name parts of the interface, so they follow the reader's language.
SECTION_TITLES = {
    "Practices": pgettext_lazy("section page", "Practices"),
    "Cities": pgettext_lazy("section page", "Cities"),
    "Networks": pgettext_lazy("section page", "Networks"),
    "Unfiled practices": pgettext_lazy("section page", "Unfiled practices"),
}


@register.filter
def section_title(page):
    """A section page's standard title in the reader's language; any other title as written."""
    from practices.models.pages import IndexPage

    page_class = getattr(page, "specific_class", None) or type(page)
    if issubclass(page_class, IndexPage):
        return SECTION_TITLES.get(page.title, page.title)
    return page.title

"""The header's links to the site's sections, found with one query per request."""

from django import template
from wagtail.models import Page, Site
from wagtail.templatetags.wagtailcore_tags import slugurl

register = template.Library()

# The sections under the home page that every page links to (the header and its search form).
SECTION_SLUGS = ("practices", "cities", "networks")


@register.simple_tag(takes_context=True)
def section_url(context, slug):
    """The URL of the section page `slug`, like Wagtail's slugurl but looked up once.

    Wagtail's slugurl runs a query per call; the header calls it four times on every page.
    The sections' URLs are read together on the first call and kept on the request.
    """
    request = context.get("request")
    if request is None or slug not in SECTION_SLUGS:
        return slugurl(context, slug)
    urls = getattr(request, "_section_urls", None)
    if urls is None:
        site = Site.find_for_request(request)
        pages = Page.objects.live().filter(slug__in=SECTION_SLUGS)
        if site is not None:
            pages = pages.in_site(site)
        urls = {}
        for page in pages.order_by("depth", "path"):
            urls.setdefault(page.slug, page.get_url(request=request))
        request._section_urls = urls
    return urls.get(slug) or slugurl(context, slug)

"""{% json_ld page %}: the page's schema.org description in its head (practices/jsonld.py)."""

from django import template
from django.contrib.auth.models import AnonymousUser

from ..jsonld import script

register = template.Library()


@register.simple_tag(takes_context=True)
def json_ld(context, page):
    """The JSON-LD script of `page` for this request's reader, on the page's own address only
    (not on its contact form or other routes, which are not the thing described)."""
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False):
        return ""
    if request.path != page.url:
        return ""
    return script(page, getattr(request, "user", None) or AnonymousUser())

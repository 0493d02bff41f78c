"""Turn incoming text (plain or HTML) into rich text limited to the editor's features."""

import html
import re

import nh3
from django.conf import settings
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

_BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')

# The HTML elements each editor feature produces (Wagtail's database format).
_FEATURE_TAGS = {
    "h2": {"h2"},
    "h3": {"h3"},
    "h4": {"h4"},
    "bold": {"b", "strong"},
    "italic": {"i", "em"},
    "ol": {"ol", "li"},
    "ul": {"ul", "li"},
    "link": {"a"},
    "hr": {"hr"},
}


def to_rich_text(value, features=None):
    """Sanitise `value` to the rich-text features editors have; plain text becomes paragraphs.

    nh3 first drops dangerous markup together with its content (scripts, styles, event
    handlers, javascript: links); Wagtail's Draftail converter then normalises what is left
    exactly as the editor would store it, so an imported text round-trips through the editor.
    """
    if not value or not value.strip():
        return ""
    features = features or settings.PRACTICE_RICH_TEXT_FEATURES
    if "<" not in value:
        paragraphs = [p.strip() for p in value.replace("\r\n", "\n").split("\n\n")]
        value = "".join(
            "<p>{}</p>".format(html.escape(p).replace("\n", "<br/>")) for p in paragraphs if p
        )
    tags = {"p", "br"}.union(*(_FEATURE_TAGS.get(f, set()) for f in features))
    cleaned = nh3.clean(
        value,
        tags=tags,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    converter = ContentstateConverter(features)
    normalised = converter.to_database_format(converter.from_database_format(cleaned))
    # The converter invents random block keys; drop them so the same input always gives the
    # same output (the editor assigns fresh keys when the text is next opened).
    return _BLOCK_KEY.sub("", normalised)

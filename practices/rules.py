"""The RAN template's publishing rules, shared by the page editor and the importer."""

import html
import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_TAG = re.compile(r"<[^>]+>")


def html_to_text(value):
    """Plain text of an HTML fragment, with tags turned into spaces."""
    return html.unescape(_TAG.sub(" ", value or "")).strip()


def word_count(value):
    """The number of words in a plain-text or HTML value."""
    return len(html_to_text(value).split())


def publishing_problems(*, description, key_themes, target_audiences, country_of_origin):
    """What stops a practice from being published, as (field, message) pairs.

    The counts come from settings so that networks with other templates can change them.
    """
    problems = []
    required = settings.PRACTICE_KEY_THEMES_REQUIRED
    if not html_to_text(description):
        problems.append(
            ("description", _("A description of the aim and working method is required."))
        )
    if len(key_themes) != required:
        problems.append(
            (
                "key_themes",
                ngettext(
                    "Choose exactly %(required)d key theme (%(chosen)d chosen).",
                    "Choose exactly %(required)d key themes (%(chosen)d chosen).",
                    required,
                )
                % {"required": required, "chosen": len(key_themes)},
            )
        )
    if not target_audiences:
        problems.append(("target_audiences", _("Choose at least one target audience.")))
    if not country_of_origin:
        problems.append(("country_of_origin", _("The country of origin is required.")))
    return problems

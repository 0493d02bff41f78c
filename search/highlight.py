"""Highlighted snippets for result cards: escaped text in which only <mark> is markup."""

import html
import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_WORDS = 40  # about two lines of a result card
WORDS_BEFORE_MATCH = 8  # context kept before the first matching word

_MARK_TAG = re.compile(r"(</?mark>)")


def mark_terms(text: str, terms: Sequence[str]) -> SafeString:
    """A snippet of `text` around the first word starting with one of `terms`, marked up.

    The database engine has no highlighter of its own, so it uses this one. Words match
    by prefix ("mentor" marks "mentoring") as a rough stand-in for stemming.
    """
    words = text.split()
    pattern = _terms_pattern(terms)
    first = next(
        (i for i, word in enumerate(words) if pattern and pattern.search(word)),
        None,
    )
    start = 0 if first is None else max(0, first - WORDS_BEFORE_MATCH)
    window = words[start : start + SNIPPET_WORDS]
    snippet = " ".join(window)
    pieces = []
    position = 0
    if pattern:
        for match in pattern.finditer(snippet):
            pieces.append(escape(snippet[position : match.start()]))
            pieces.append(f"<mark>{escape(match.group(0))}</mark>")
            position = match.end()
    pieces.append(escape(snippet[position:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + SNIPPET_WORDS < len(words) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 (every piece is escaped)


def clean_fragment(fragment: str) -> SafeString:
    """An engine's highlighted fragment, re-escaped so that <mark> is the only markup left.

    Elasticsearch escapes text with encoder=html already; re-escaping every piece here means
    the page never depends on that setting being right.
    """
    pieces = []
    for piece in _MARK_TAG.split(fragment):
        pieces.append(piece if _MARK_TAG.fullmatch(piece) else escape(html.unescape(piece)))
    return mark_safe("".join(pieces))  # noqa: S308 (text pieces are escaped, tags are fixed)


def _terms_pattern(terms):
    terms = [term for term in terms if term]
    if not terms:
        return None
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)

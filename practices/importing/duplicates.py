"""Possible duplicates: a record describing a practice the hub already has from another source
(two networks listing the same practice), flagged for curators and never merged.

The description decides: rapidfuzz's token set ratio of the two plain texts (their first
DESCRIPTION_CHARACTERS), which is high when one description retells the other, whatever the
title says ("EXIT Germany: leaving right-wing extremism" and "EXIT-Deutschland" score 40 by
title and 92 by description). Descriptions too short to tell are compared by title alone.
The thresholds come from `python -m bench.duplicates` (docs/benchmarks.md), on pairs of real
listings of the same practice and every pair of different real practices.
"""

import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

DESCRIPTION_CHARACTERS = 1200
# A description's token set ratio from which two practices are probably the same one.
DESCRIPTION_THRESHOLD = 80
# Below this many characters a description says too little: titles alone decide.
MIN_DESCRIPTION_CHARACTERS = 120
TITLE_THRESHOLD = 95
# Descriptions confirmed with the ratio per record: those sharing the most uncommon words.
SHORTLIST = 5
# A word held by more than this share of the descriptions says nothing about a match.
COMMON_WORD_SHARE = 0.05
TAG = re.compile(r"<[^>]+>")


def plain(markup):
    """A description as comparable text: no markup, spaces collapsed, lower case, no
    punctuation (rapidfuzz's default processing)."""
    # A regular expression, not an HTML parser: ten thousand descriptions are read per import
    # (Django's strip_tags took 19 s), and a stray "<" only costs a word of comparison.
    text = re.sub(r"\s+", " ", html.unescape(TAG.sub(" ", markup or ""))).strip()
    return utils.default_process(text[:DESCRIPTION_CHARACTERS])


@dataclass(frozen=True)
class Candidate:
    """An existing practice a record may duplicate."""

    page_id: int
    title: str
    description: str  # plain()


def is_duplicate(title_a, description_a, title_b, description_b):
    """Whether two practices, given their titles and plain() descriptions, are probably the
    same one (the rule the importer applies; measured by bench/duplicates.py)."""
    if min(len(description_a), len(description_b)) >= MIN_DESCRIPTION_CHARACTERS:
        return fuzz.token_set_ratio(description_a, description_b) >= DESCRIPTION_THRESHOLD
    titles = fuzz.token_set_ratio(title_a, title_b, processor=utils.default_process)
    return titles >= TITLE_THRESHOLD


class DuplicateFinder:
    """The existing practices, read once per import, and the one a record may duplicate.

    A record's description is compared, with is_duplicate()'s ratio, only with the SHORTLIST
    descriptions sharing the most uncommon words with it (an index of words to practices):
    the ratio over every description of 10,000 practices took 300 ms a record.
    """

    def __init__(self, candidates):
        """Hold the Candidate practices to compare records with, and index their words."""
        self.candidates = list(candidates)
        self._short = [
            c for c in self.candidates if len(c.description) < MIN_DESCRIPTION_CHARACTERS
        ]
        self._holders = defaultdict(list)
        for index, candidate in enumerate(self.candidates):
            if len(candidate.description) >= MIN_DESCRIPTION_CHARACTERS:
                for word in _words(candidate.description):
                    self._holders[word].append(index)
        self._most = max(2, int(len(self.candidates) * COMMON_WORD_SHARE))

    @classmethod
    def of_practices(cls, practices):
        """A finder over a PracticePage query set (live and draft practices alike)."""
        rows = practices.values_list("pk", "title", "description")
        return cls(Candidate(pk, title, plain(text)) for pk, title, text in rows.iterator())

    def duplicate_of(self, title, description_html, exclude=None):
        """The existing practice (a Candidate) the record most probably duplicates, or None;
        `exclude` is the page id of the practice the record updates."""
        description = plain(description_html)
        if len(description) >= MIN_DESCRIPTION_CHARACTERS:
            shared = Counter()
            for word in _words(description):
                holders = self._holders.get(word, ())
                if len(holders) <= self._most:
                    shared.update(holders)
            for index, _count in shared.most_common(SHORTLIST):
                candidate = self.candidates[index]
                if candidate.page_id != exclude and is_duplicate(
                    title, description, candidate.title, candidate.description
                ):
                    return candidate
            # Practices described too briefly to compare are compared by title.
            return self._by_title(title, self._short, exclude)
        return self._by_title(title, self.candidates, exclude)

    @staticmethod
    def _by_title(title, candidates, exclude):
        matches = process.extract(
            title,
            [candidate.title for candidate in candidates],
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            score_cutoff=TITLE_THRESHOLD,
            limit=2,
        )
        for _text, _score, index in matches:
            if candidates[index].page_id != exclude:
                return candidates[index]
        return None


def _words(text):
    """The distinct words of a plain() text long enough to tell practices apart."""
    return {word for word in text.split() if len(word) > 3}

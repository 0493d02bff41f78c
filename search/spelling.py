"""'Did you mean ...?': a misspelt word corrected from the words the collection holds.

The vocabulary is search.models.SearchTerm, counted by search/index.py from the indexed
public practices, so a suggestion is always a word some practice everyone may read holds
(never one only members-only texts hold). A word is
corrected when the vocabulary does not hold it: the candidates share its first letter and
are at most two letters longer or shorter, and the closest by edit distance wins (one edit
for words of up to five letters, two for longer), the commoner word on a tie.
"""

from rapidfuzz.distance import Levenshtein

from .models import SearchTerm
from .words import MAX_TERM_LENGTH, MIN_TERM_LENGTH, query_words

# Words up to this length may differ by one edit, longer ones by two.
ONE_EDIT_UP_TO = 5


def correction(text):
    """The query with each word the collection does not hold replaced by its closest
    held word, or "" when no word needs (or has) a correction."""
    words = query_words(text)
    candidates = [w for w in words if _correctable(w)]
    if not candidates:
        return ""
    known = set(SearchTerm.objects.filter(term__in=candidates).values_list("term", flat=True))
    corrected, changed = [], False
    for word in words:
        better = None if word in known or not _correctable(word) else closest(word)
        corrected.append(better or word)
        changed = changed or bool(better)
    return " ".join(corrected) if changed else ""


def closest(word):
    """The held word closest to `word` within the allowed edits, or None."""
    limit = 1 if len(word) <= ONE_EDIT_UP_TO else 2
    first = word[0]
    rows = SearchTerm.objects.filter(
        length__gte=len(word) - limit,
        length__lte=len(word) + limit,
        term__gte=first,
        term__lt=chr(ord(first) + 1),
    ).values_list("term", "documents")
    best = None
    for term, documents in rows:
        distance = Levenshtein.distance(word, term, score_cutoff=limit)
        if distance <= limit and (best is None or (distance, -documents) < best[:2]):
            best = (distance, -documents, term)
    return best[2] if best else None


def _correctable(word):
    return MIN_TERM_LENGTH < len(word) <= MAX_TERM_LENGTH and not word.isdigit()

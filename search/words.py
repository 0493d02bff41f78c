"""Words as the database engine's index and its queries see them: one rule for both.

A query's words lose their stop words here, with the list PostgreSQL's `english`
configuration uses (english.stop, from Snowball), so SQLite and PostgreSQL match the same
words; the vocabulary of spelling suggestions is made of the same words.
"""

import re
from functools import cache
from pathlib import Path

WORD = re.compile(r"\w+")
# Words shorter than this are not worth a spelling suggestion (nor a vocabulary row).
MIN_TERM_LENGTH = 3
MAX_TERM_LENGTH = 40


@cache
def stop_words():
    """The English stop words (PostgreSQL's list)."""
    text = (Path(__file__).parent / "english.stop").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def query_words(text):
    """The words of a query that are searched: lower-cased, without stop words, each once."""
    words = []
    for word in WORD.findall(text.lower()):
        if word not in stop_words() and word not in words:
            words.append(word)
    return words


def vocabulary_terms(*texts):
    """The distinct words of texts that the vocabulary holds (no stop words, no numbers)."""
    terms = set()
    for text in texts:
        for word in WORD.findall((text or "").lower()):
            if (
                MIN_TERM_LENGTH <= len(word) <= MAX_TERM_LENGTH
                and not word.isdigit()
                and word not in stop_words()
            ):
                terms.add(word)
    return terms

"""`python -m bench.duplicates`: how well the importer's duplicate rule tells listings of the
same practice from different practices (practices/importing/duplicates.py).

Positives: bench/duplicates/listings.json, second listings of real practices written from
their public descriptions as another network would list them (another title, a shorter
retelling), each paired with the practice of bench/relevance/practices.json it describes.
Negatives: each listing with every other practice, and every pair of different practices
(45 real ones, several alike: two EXIT programmes, four counselling centres).
"""

import itertools
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    """Print precision, recall and the time per comparison of the rule."""
    import django

    django.setup()
    from practices.importing.duplicates import Candidate, DuplicateFinder, is_duplicate, plain

    practices = json.loads((HERE / "relevance" / "practices.json").read_text())
    listings = json.loads((HERE / "duplicates" / "listings.json").read_text())

    def described(item):
        return item["title"], plain(item["description"])

    pairs = []  # (same practice?, a, b)
    for listing in listings:
        for practice in practices:
            pairs.append((practice["title"] == listing["of"], listing, practice))
    for a, b in itertools.combinations(practices, 2):
        pairs.append((False, a, b))
    started = time.perf_counter()
    flagged = [(same, is_duplicate(*described(a), *described(b))) for same, a, b in pairs]
    seconds = time.perf_counter() - started
    true_positives = sum(1 for same, flag in flagged if same and flag)
    false_positives = sum(1 for same, flag in flagged if flag and not same)
    positives = sum(1 for same, _flag in flagged if same)
    flags = true_positives + false_positives
    print(  # noqa: T201
        f"{len(pairs)} pairs ({positives} of the same practice): "
        f"precision {true_positives}/{flags} = {true_positives / max(flags, 1):.0%}, "
        f"recall {true_positives}/{positives} = {true_positives / positives:.0%}, "
        f"{seconds / len(pairs) * 1e6:.0f} µs a pair"
    )
    # The importer's finder (a shortlist by shared uncommon words, then the rule): does it
    # find each listing's practice among all of them, and nothing for a practice itself?
    finder = DuplicateFinder(
        Candidate(number, p["title"], plain(p["description"])) for number, p in enumerate(practices)
    )
    found = 0
    for listing in listings:
        match = finder.duplicate_of(listing["title"], listing["description"])
        found += bool(match and match.title == listing["of"])
    alone = sum(
        1
        for number, p in enumerate(practices)
        if finder.duplicate_of(p["title"], p["description"], exclude=number) is None
    )
    print(  # noqa: T201
        f"finder: {found} of {len(listings)} listings matched to their practice; "
        f"{alone} of {len(practices)} practices matched to no other"
    )


if __name__ == "__main__":
    main()

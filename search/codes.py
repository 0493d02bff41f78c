"""Facet values as numbers: the codes PracticeDocument.facet_codes holds.

A code is given once to each (facet, value) pair indexed (search.models.FacetValueCode) and
is never changed. A search counts the codes of the documents it matched with numpy and then
reads the names of the codes it counted, so nothing about them is kept between requests.
"""

import numpy as np

from .models import FacetValueCode


def codes_for(pairs):
    """(facet, value) -> code for these pairs, giving codes to the new ones."""
    pairs = set(pairs)
    if not pairs:
        return {}
    FacetValueCode.objects.bulk_create(
        [FacetValueCode(facet=facet, value=value) for facet, value in pairs],
        ignore_conflicts=True,
        batch_size=2000,
    )
    found = {}
    by_facet = {}
    for facet, value in pairs:
        by_facet.setdefault(facet, []).append(value)
    for facet, values in by_facet.items():
        for start in range(0, len(values), 500):
            rows = FacetValueCode.objects.filter(facet=facet, value__in=values[start : start + 500])
            for code, value in rows.values_list("pk", "value"):
                found[(facet, value)] = code
    return found


def pack(codes):
    """The bytes of a list of codes, as facet_codes stores them."""
    return np.asarray(sorted(codes), dtype="<i4").tobytes()


# Codes asked for above which names_of() reads every code: one plain query of the whole
# vocabulary (about a thousand codes at 10,000 practices: 2.7 ms on PostgreSQL) costs less
# than building a query with a parameter per code (11 ms for a thousand).
READ_ALL_ABOVE = 100


def names_of(codes):
    """code -> (facet, value) for these codes, read from the database (a search asks for the
    few hundred it counted; nothing is cached, so a code is never read stale)."""
    codes = {int(code) for code in codes}
    if len(codes) > READ_ALL_ABOVE:
        rows = FacetValueCode.objects.values_list("pk", "facet", "value")
        return {code: (facet, value) for code, facet, value in rows if code in codes}
    rows = FacetValueCode.objects.filter(pk__in=sorted(codes))
    return {code: (facet, value) for code, facet, value in rows.values_list("pk", "facet", "value")}


def codes_of(facet_name, values=None):
    """The codes of one facet's values (all of its values when `values` is None)."""
    rows = FacetValueCode.objects.filter(facet=facet_name)
    if values is not None:
        rows = rows.filter(value__in=sorted(values))
    return dict(rows.values_list("value", "pk"))

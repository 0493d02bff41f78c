"""The DCAT-AP catalogue at /catalog.ttl and /catalog.jsonld (issue 17, item 4): being written."""

from django.http import Http404


def catalog(request, rdf_format):
    """The catalogue in `rdf_format` ("turtle" or "json-ld") (not yet answering)."""
    raise Http404

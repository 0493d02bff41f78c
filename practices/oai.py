"""OAI-PMH at /oai/ (issue 17, item 5): being written."""

from django.http import Http404


def endpoint(request):
    """The one OAI-PMH URL (not yet answering)."""
    raise Http404

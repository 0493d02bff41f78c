"""Bench-only transport for osmem-server, which speaks plain JSON rather than Elasticsearch's
versioned media types (the same workaround as tests/search/transport.py, kept here so the
benchmark does not import test code)."""

from elastic_transport import Urllib3HttpNode

_COMPATIBLE = "vnd.elasticsearch+"


class PlainJsonNode(Urllib3HttpNode):
    """An HTTP node that sends plain JSON media types."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        """Send the request with the compatibility media types replaced."""
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                value = headers.get(name)
                if value and _COMPATIBLE in value:
                    headers[name] = value.replace(_COMPATIBLE, "").split(";")[0].strip()
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)

"""Test-only transport: osmem-server speaks plain JSON, not Elasticsearch's versioned types.

The elasticsearch client sends `application/vnd.elasticsearch+json; compatible-with=8` (and
the x-ndjson variant for bulk), which osmem rejects. This node class rewrites those headers
to plain `application/json` / `application/x-ndjson`. Production connects with the default
node class to a real Elasticsearch 8 or 9 cluster.
"""

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

"""The Elasticsearch engine's test cluster: one osmem-server per test session.

osmem-server (PyPI) is an in-memory OpenSearch/Elasticsearch-compatible server with its
binary in the wheel, so these tests need no installed cluster and never skip. Each test
class that uses it gets its own copy-on-write clone (see tests/search/engines.py).
"""

import pytest
from osmem_server import OsmemServer


def pytest_configure(config):
    """Register the marker that lets `-m "not elasticsearch"` leave the cluster out."""
    config.addinivalue_line(
        "markers", "elasticsearch: runs the Elasticsearch engine against osmem-server"
    )


@pytest.fixture(scope="session")
def search_cluster():
    """Start osmem-server on a free loopback port (port 0: the server picks one), stop it after."""
    # Imported here, not at the top: engines.py applies the marker this file registers.
    from . import engines

    server = OsmemServer.start(addr="127.0.0.1:0", japanese=False)
    engines.cluster = server
    yield server
    engines.cluster = None
    server.close()

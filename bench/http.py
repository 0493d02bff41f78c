"""HTTP under load: gunicorn (2 workers, production settings, PostgreSQL) and wrk.

The search page cycles through the query mix's URLs (a wrk Lua script), the practice page
through the first practices' URLs. wrk's own summary has no p95, so the script prints the
percentiles and the error count itself.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WORKERS = 2
CONNECTIONS = 8
DURATION = 30
WARM_UP = 4  # requests per target before wrk starts (a few per worker is enough)

LUA = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "BENCH {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%f, \\"p95\\": %%f, "
    .. "\\"p99\\": %%f, \\"max\\": %%f, \\"errors\\": %%d, \\"status_errors\\": %%d, "
    .. "\\"timeouts\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000, errors,
    summary.errors.status, summary.errors.timeout))
end
"""


def free_port():
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url, static_root):
    """Production settings with the variables production.py demands."""
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="practicehub.settings.production",
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_MEDIA_ROOT=str(Path(static_root).parent / "media"),
        DJANGO_LOG_LEVEL="ERROR",
    )


def sample_paths(database_url, count=20):
    """The search URLs of the query mix and the URLs of some practices (read in a child)."""
    code = (
        "import django, json; django.setup();"
        "from bench.queries import query_mix, to_querystring;"
        "from practices.models import PracticeIndexPage, PracticePage;"
        "index = PracticeIndexPage.objects.get().get_url();"
        "search = [index + '?' + to_querystring(p) for p in query_mix()];"
        f"pages = [p.get_url() for p in PracticePage.objects.live().order_by('pk')[:{count}]];"
        "print(json.dumps({'search': search, 'practice': pages}))"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", BENCH_DATABASE_URL=database_url)
    output = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def wrk(base, paths, workdir):
    """Run wrk at CONNECTIONS for DURATION seconds over `paths`; return its figures."""
    script = Path(workdir) / "paths.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    output = subprocess.run(  # noqa: S603
        ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{DURATION}s", "-s", str(script),  # noqa: S607
         "--timeout", "10s", base],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    figures = json.loads(re.search(r"BENCH (\{.*\})", output).group(1))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def wait_for(url, timeout=60):
    """Wait until `url` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def load_test(database_url):
    """Serve the bench database with gunicorn and load the search and practice pages."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install -y wrk).")
    paths = sample_paths(database_url)
    workdir = tempfile.mkdtemp(prefix="ph-bench-http-")
    static_root = Path(workdir) / "static"
    env = server_env(database_url, static_root)
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [GUNICORN, "practicehub.wsgi:application", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    targets = []
    try:
        wait_for(base + paths["practice"][0])
        for name, urls in (
            ("search page (50 queries of the mix)", paths["search"]),
            ("practice page (20 practices)", paths["practice"]),
        ):
            # A few requests first, so both workers are warm (imports, templates, connections).
            for url in urls[:WARM_UP]:
                urllib.request.urlopen(base + url, timeout=60).read()  # noqa: S310
            targets.append({"name": name, **wrk(base, urls, workdir)})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "engine": "postgres",
        "size": "10k",
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "duration": DURATION,
        "targets": targets,
    }

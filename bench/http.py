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
        # Plain HTTP on loopback: production's HTTPS redirect would answer every request 301.
        DJANGO_SECURE_SSL_REDIRECT="false",
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
    return child_json(database_url, code)


def child_json(database_url, code):
    """Run `code` in a child process on the bench database; return the JSON it prints last."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", BENCH_DATABASE_URL=database_url)
    output = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def start_gunicorn(env, port, *options, **popen):
    """Start gunicorn with WORKERS workers on loopback `port`; return the process."""
    return subprocess.Popen(  # noqa: S603 - our own command line
        [GUNICORN, "practicehub.wsgi:application", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", *options],
        cwd=ROOT, env=env, **popen,
    )  # fmt: skip


def prepared_server(database_url, prefix):
    """A scratch folder and the environment of a production-settings server on the bench
    database, its static files collected; fails early when wrk is missing."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install -y wrk).")
    workdir = tempfile.mkdtemp(prefix=prefix)
    env = server_env(database_url, Path(workdir) / "static")
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return workdir, env


def start_wrk(base, paths, workdir, connections=CONNECTIONS, name="paths"):
    """Start wrk at `connections` for DURATION seconds over `paths`; return the process."""
    script = Path(workdir) / f"{name}.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    return subprocess.Popen(  # noqa: S603
        ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{DURATION}s",  # noqa: S607
         "-s", str(script), "--timeout", "10s", base],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def wrk_figures(process):
    """Wait for a wrk process started by start_wrk(); return its figures."""
    output, _ = process.communicate()
    figures = json.loads(re.search(r"BENCH (\{.*\})", output).group(1))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def wrk(base, paths, workdir):
    """Run wrk at CONNECTIONS for DURATION seconds over `paths`; return its figures."""
    return wrk_figures(start_wrk(base, paths, workdir))


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
    paths = sample_paths(database_url)
    workdir, env = prepared_server(database_url, "ph-bench-http-")
    port = free_port()
    server = start_gunicorn(env, port, "--log-level", "warning")
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


BUNDLE_SIZE = 50
HOME_CONNECTIONS = 2


def bundle_paths(database_url, count=CONNECTIONS):
    """`count` bundle URLs of BUNDLE_SIZE distinct public practices each (read in a child)."""
    code = (
        "import django, json; django.setup();"
        "from practices.models import PracticePage;"
        "from django.contrib.auth.models import AnonymousUser;"
        "ids = list(PracticePage.objects.visible_to(AnonymousUser()).order_by('pk')"
        f"[:{count * BUNDLE_SIZE}].values_list('pk', flat=True));"
        f"print(json.dumps([ids[i:i + {BUNDLE_SIZE}] for i in range(0, len(ids), {BUNDLE_SIZE})]))"
    )
    groups = child_json(database_url, code)
    return ["/sheets/bundle/?ids=" + ",".join(str(pk) for pk in group) for group in groups]


def bundle_load_test(database_url):
    """Anonymous 50-practice bundle requests at c=8 for 30 s against gunicorn (2 workers) and
    one task worker, while the home page is loaded at c=2: does the site stay responsive?"""
    bundles = bundle_paths(database_url)
    workdir, env = prepared_server(database_url, "ph-bench-bundles-")
    # The rendered bundles and the task queue start empty, as for a new attack.
    subprocess.run(  # noqa: S603
        [PYTHON, "-c", "import django; django.setup();"
         "from django_tasks_db.models import DBTaskResult; DBTaskResult.objects.all().delete()"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    port = free_port()
    log = Path(workdir) / "gunicorn.log"
    with log.open("w") as log_file:
        server = start_gunicorn(
            env, port, "--timeout", "30", stdout=log_file, stderr=subprocess.STDOUT
        )
        worker = subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", "db_worker", "--no-reload", "--verbosity=0"], cwd=ROOT, env=env
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/")
            for _ in range(WARM_UP):
                urllib.request.urlopen(base + "/", timeout=60).read()  # noqa: S310
            home_alone = wrk_figures(start_wrk(base, ["/"], workdir, HOME_CONNECTIONS, "home"))
            attack = start_wrk(base, bundles, workdir, CONNECTIONS, "bundles")
            home = start_wrk(base, ["/"], workdir, HOME_CONNECTIONS, "home-under-attack")
            home_under_attack, bundle_figures = wrk_figures(home), wrk_figures(attack)
        finally:
            for process in (server, worker):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
    killed = log.read_text().count("WORKER TIMEOUT")
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "engine": "postgres",
        "size": "10k",
        "workers": WORKERS,
        "bundle_connections": CONNECTIONS,
        "home_connections": HOME_CONNECTIONS,
        "duration": DURATION,
        "home_alone": home_alone,
        "home_under_attack": home_under_attack,
        "bundles": bundle_figures,
        "workers_killed": killed,
    }

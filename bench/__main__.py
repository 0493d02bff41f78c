"""`python -m bench`: prepare the bench databases, run every measurement, write the report.

Every engine and size runs in a worker process of its own (`python -m bench worker ...`), so
peak RSS and "cold" PDF timings belong to that run alone. Results are JSON files in
BENCH_RESULTS (default /tmp/ph-bench/results); docs/benchmarks.md is rewritten from them
after each run, so a quick run (`--sizes 1k`) refreshes only its own rows.

    python -m bench                                  # everything the issue asks for
    python -m bench --sizes 1k --engines sqlite      # a quick look
    python -m bench --sizes 10k --only http          # the load test alone
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
WORK = Path(os.environ.get("BENCH_WORK", Path(tempfile.gettempdir()) / "ph-bench"))
RESULTS = Path(os.environ.get("BENCH_RESULTS", WORK / "results"))
PG_SERVER = os.environ.get("BENCH_PG", "postgres://practicehub:practicehub@127.0.0.1:5432")
# 2k: the size issue 13 sets its search latency target at.
SIZES = {"1k": 1_000, "2k": 2_000, "10k": 10_000, "100k": 100_000}
ENGINES = ("sqlite", "postgres", "elasticsearch")
# The issue asks for 100k on PostgreSQL and Elasticsearch only.
SQLITE_SIZES = ("1k", "2k", "10k")
# osmem-server analyses each document's texts four times (6-8 ms of its CPU a document), so a
# 10k rebuild takes about a minute here; 100k would take a quarter of an hour.
ES_SIZES = "1k,10k"
PHASES = ("search", "flatten", "pdf", "http", "publish", "bundles")


def database_url(engine, size):
    """The bench database of one engine and size (Elasticsearch reads from PostgreSQL's)."""
    if engine == "sqlite":
        return f"sqlite:///{WORK / f'practicehub-bench-{size}.sqlite3'}"
    return f"{PG_SERVER}/practicehub_bench_{size}"


def bench_env(url, **extra):
    """The environment of a child process working on the bench database at `url`."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", BENCH_DATABASE_URL=url)
    env.update(extra)
    return env


def run(args, env, check=True):
    """Run a child process from the repository root; raise if it fails and `check`."""
    print("+", " ".join(str(a) for a in args), flush=True)  # noqa: T201
    done = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=check)  # noqa: S603
    if done.returncode:
        # One failed measurement (a cluster timeout, say) must not lose the others.
        print(f"  failed with exit status {done.returncode}; going on", flush=True)  # noqa: T201


def postgres_exists(name):
    """True when the PostgreSQL database `name` exists."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def postgres_create(name, template=None):
    """Create a PostgreSQL database, copied from `template` when given."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        clause = f" TEMPLATE {template}" if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{clause}')


def prepare(engine, size, seed):
    """Make sure the bench database of `engine` and `size` exists and holds the practices.

    Migrations run once into a template (a PostgreSQL template database, an SQLite file),
    which each size copies; then the generator fills it.
    """
    WORK.mkdir(parents=True, exist_ok=True)
    url = database_url(engine, size)
    if engine == "sqlite":
        path = WORK / f"practicehub-bench-{size}.sqlite3"
        if path.exists():
            return migrated(url)
        template = WORK / "practicehub-bench-template.sqlite3"
        if not template.exists():
            run([PYTHON, "manage.py", "migrate", "--noinput"], bench_env(f"sqlite:///{template}"))
        shutil.copy(template, path)
    else:
        name = f"practicehub_bench_{size}"
        if postgres_exists(name):
            return migrated(url)
        if not postgres_exists("practicehub_bench_tpl"):
            postgres_create("practicehub_bench_tpl")
            run(
                [PYTHON, "manage.py", "migrate", "--noinput"],
                bench_env(f"{PG_SERVER}/practicehub_bench_tpl"),
            )
        postgres_create(name, template="practicehub_bench_tpl")
    # The template may predate the latest migrations.
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], bench_env(url))
    run(
        [PYTHON, "-m", "bench", "generate", "--size", size, "--seed", seed, "--engine", engine],
        bench_env(url),
    )
    return url


def migrated(url):
    """Bring an existing bench database up to the project's migrations (a database generated
    before a new migration, such as an index, would measure old code), and write the database
    engine's index when a migration left it empty; return its URL."""
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], bench_env(url))
    run([PYTHON, "-m", "bench", "index-if-empty"], bench_env(url))
    return url


def index_if_empty():
    """Write the database engine's index of a bench database that has none (one generated
    before the index existed)."""
    import django

    django.setup()
    from search import index
    from search.models import PracticeDocument

    if not PracticeDocument.objects.exists():
        print(f"  wrote the database index of {index.rebuild()} practices")  # noqa: T201


def worker(options):
    """Inside a child process: one engine and size, one phase; write its JSON result."""
    import django

    django.setup()
    from django.test.utils import override_settings

    from . import measure

    result = {"engine": options.engine, "size": options.size, "phase": options.phase}
    # search/ may change between runs: keep a digest of the code each result measured.
    result["code"] = code_digest()
    # Other work on the machine skews timings; the 1-minute load average is kept with them.
    load_before = os.getloadavg()[0]
    if options.phase == "publish":
        result.update(publish_phase(options.engine, measure))
    elif options.phase == "pdf":
        result.update(measure.measure_pdf())
    elif options.phase == "flatten":
        # The project's half of a rebuild, without a cluster (osmem-server's own cost
        # hides it; see docs/benchmarks.md).
        result["flatten"] = measure.measure_flatten()
    elif options.engine == "elasticsearch":
        from osmem_server import OsmemServer

        server = OsmemServer.start(addr="127.0.0.1:0", japanese=False)
        try:
            from .settings import osmem_search

            with override_settings(PRACTICE_SEARCH=osmem_search(server.url)):
                result["rebuild"] = measure.measure_rebuild()
                compare = _load(RESULTS / f"postgres-{options.size}-search.json")
                result.update(
                    measure.measure_searches(
                        naive_limit=0, compare_to=compare and compare["totals"]
                    )
                )
        finally:
            server.close()
    else:
        naive_limit = options.naive_limit if options.naive_limit >= 0 else None
        with override_settings(PRACTICE_SEARCH={"BACKEND": "search.backends.database"}):
            result.update(
                measure.measure_searches(naive_limit=naive_limit, queries=options.queries)
            )
    result["load"] = [load_before, os.getloadavg()[0]]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{options.label or options.engine}-{options.size}-{options.phase}.json"
    out.write_text(json.dumps(result, indent=1, default=str))
    print(f"wrote {out}")  # noqa: T201


def publish_phase(engine, measure):
    """Publish a city linked to 200 practices on one engine, with a real worker process."""
    database_env = {"BENCH_DATABASE_URL": os.environ["BENCH_DATABASE_URL"]}
    if engine != "elasticsearch":
        return measure.measure_publish(database_env)
    from django.test.utils import override_settings
    from osmem_server import OsmemServer

    server = OsmemServer.start(addr="127.0.0.1:0", japanese=False)
    try:
        from .settings import osmem_search

        with override_settings(PRACTICE_SEARCH=osmem_search(server.url)):
            from search.backends import get_backend

            get_backend().rebuild()
            return measure.measure_publish({**database_env, "BENCH_ELASTICSEARCH_URL": server.url})
    finally:
        server.close()


def code_digest():
    """A short digest of the search and sheet code, to tell which version a result measured."""
    import hashlib

    digest = hashlib.sha256()
    for folder in ("search", "practices/sheets", "practices/models"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _load(path):
    return json.loads(path.read_text()) if path.exists() else None


def generate_command(options):
    """Inside a child process: generate the practices and record how long it took."""
    import django

    django.setup()
    from .generate import generate

    timings = generate(SIZES[options.size], seed=options.seed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{options.engine}-{options.size}-generate.json"
    out.write_text(json.dumps({"size": options.size, "engine": options.engine, **timings}))


def main(argv=None):
    """Parse the command line and run what it asks for."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "command",
        nargs="?",
        default="all",
        choices=["all", "worker", "generate", "report", "index-if-empty"],
    )
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--only", default=",".join(PHASES), help="phases: " + ",".join(PHASES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--es-sizes", default=ES_SIZES, help="sizes for Elasticsearch")
    parser.add_argument(
        "--naive-limit",
        type=int,
        default=-1,
        help="naive baseline on the first N queries only (-1: all; default 10 at 100k)",
    )
    parser.add_argument(
        "--queries", type=int, default=None, help="only the first N queries of the mix"
    )
    # Worker-only arguments.
    parser.add_argument("--engine", default="postgres")
    parser.add_argument("--size", default="1k")
    parser.add_argument("--phase", default="search")
    parser.add_argument(
        "--label", default="", help="name the result file after this instead of the engine"
    )
    options = parser.parse_args(argv)

    if options.command == "worker":
        return worker(options)
    if options.command == "generate":
        return generate_command(options)
    if options.command == "index-if-empty":
        return index_if_empty()
    if options.command == "all":
        run_all(options)
    from .report import write_report

    print(f"wrote {write_report(RESULTS, ROOT / 'docs' / 'benchmarks.md')}")  # noqa: T201
    return None


def run_all(options):
    """Prepare the databases and run every requested engine, size and phase."""
    sizes = [s for s in options.sizes.split(",") if s]
    engines = [e for e in options.engines.split(",") if e]
    phases = [p for p in options.only.split(",") if p]
    for size in sizes:
        started = time.perf_counter()
        if "search" in phases:
            for engine in engines:
                if engine == "sqlite" and size not in SQLITE_SIZES:
                    continue
                if engine == "elasticsearch" and size not in options.es_sizes.split(","):
                    continue
                url = prepare(
                    "postgres" if engine == "elasticsearch" else engine, size, options.seed
                )
                naive_limit = options.naive_limit
                if naive_limit < 0 and size == "100k":
                    naive_limit = 10  # a naive pass over 100k pages takes many seconds a query
                run(
                    [PYTHON, "-m", "bench", "worker", "--engine", engine, "--size", size,
                     "--phase", "search", "--naive-limit", naive_limit,
                 *(["--queries", options.queries] if options.queries else [])],
                    bench_env(url),
                    check=False,
                )  # fmt: skip
        if "flatten" in phases:
            run(
                [PYTHON, "-m", "bench", "worker", "--engine", "postgres", "--size", size,
                 "--phase", "flatten"],
                bench_env(prepare("postgres", size, options.seed)),
            )  # fmt: skip
        if "pdf" in phases and size == "10k":
            url = prepare("postgres", size, options.seed)
            run(
                [PYTHON, "-m", "bench", "worker", "--engine", "postgres", "--size", size,
                 "--phase", "pdf"],
                bench_env(url),
            )  # fmt: skip
        if "publish" in phases and size == "10k":
            for engine in engines:
                source = "sqlite" if engine == "sqlite" else "postgres"
                run(
                    [PYTHON, "-m", "bench", "worker", "--engine", engine, "--size", size,
                     "--phase", "publish"],
                    bench_env(prepare(source, size, options.seed)),
                    check=False,
                )  # fmt: skip
        if "bundles" in phases and size == "10k":
            from .http import bundle_load_test

            url = prepare("postgres", size, options.seed)
            RESULTS.mkdir(parents=True, exist_ok=True)
            result = bundle_load_test(url)
            (RESULTS / f"postgres-{size}-bundles.json").write_text(json.dumps(result, indent=1))
        if "http" in phases and size == "10k":
            from .http import load_test

            url = prepare("postgres", size, options.seed)
            RESULTS.mkdir(parents=True, exist_ok=True)
            result = load_test(url)
            (RESULTS / f"postgres-{size}-http.json").write_text(json.dumps(result, indent=1))
        from .report import write_report

        write_report(RESULTS, ROOT / "docs" / "benchmarks.md")
        print(f"size {size} done in {time.perf_counter() - started:.0f} s", flush=True)  # noqa: T201


if __name__ == "__main__":
    main()

"""Write docs/benchmarks.md from the JSON results: machine, versions and the tables.

The paragraph on what dominates the cost is written by a person; it lives in the file
between the NOTES markers and is kept when the tables are rewritten.
"""

import json
import os
import platform
import re
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

BEGIN, END = "<!-- NOTES BEGIN -->", "<!-- NOTES END -->"
ORDER = {
    "sqlite": 0,
    "postgres": 1,
    "elasticsearch": 2,
    "1k": 0,
    "2k": 1,
    "10k": 2,
    "100k": 3,
}
ENGINE_NAMES = {
    "sqlite": "database on SQLite",
    "postgres": "database on PostgreSQL",
    "elasticsearch": "Elasticsearch (osmem-server)",
}


def machine():
    """Cores, memory and CPU model of this machine."""
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    memory = f"{total_kb / 1024 / 1024:.1f} GiB RAM"
    return f"{os.cpu_count()} cores ({model or platform.machine()}), {memory}"


def versions():
    """The versions that matter for these numbers."""
    names = [
        "Django",
        "wagtail",
        "modelsearch",
        "elasticsearch",
        "osmem-server",
        "weasyprint",
        "psycopg",
        "gunicorn",
    ]
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001, S112 - a missing package is just left out
            continue
    return f"Python {platform.python_version()}, " + ", ".join(found) + _postgres_version()


def _postgres_version():
    try:
        import psycopg

        url = os.environ.get("BENCH_PG", "postgres://practicehub:practicehub@127.0.0.1:5432")
        with psycopg.connect(f"{url}/postgres") as conn:
            return ", PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - the report is still useful without it
        return ""


def _ms(value):
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _first(data):
    """A note when a run used only the first queries of the mix."""
    n = data["search"]["n"]
    return f" (first {n} queries)" if n < 50 else ""


def _load(data):
    """The 1-minute load average before and after a run (2 cores: above 2 means queuing)."""
    if "load" not in data:
        return "–"
    before, after = data["load"]
    return f"{before:.1f}→{after:.1f}"


def _load_all(results):
    rows = {}
    for path in sorted(Path(results).glob("*.json")):
        data = json.loads(path.read_text())
        engine, size, phase = path.stem.split("-")  # the worker names files so
        if isinstance(data.get("engine"), dict):  # results written before "search" was named
            data["search"] = data["engine"]
        data["engine"], data["size"] = engine, size
        rows[(engine, size, phase)] = data
    return rows


def _sorted(rows, phase):
    keys = [key for key in rows if key[2] == phase]
    return sorted(keys, key=lambda key: (ORDER.get(key[1], 9), ORDER.get(key[0], 9)))


def tables(results):
    """The markdown tables of every result in `results`."""
    rows = _load_all(results)
    out = []
    out.append("### Searches (50 queries, every facet counted; engine call only)\n")
    out.append(
        "| size | engine | p50 ms | p95 ms | max ms | naive p50 ms | naive p95 ms | naive max ms "
        "| naive / engine (mean) | counts equal naive | peak RSS MB | load |"
    )
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for key in _sorted(rows, "search"):
        data = rows[key]
        engine = data["engine"]
        naive = data.get("naive")
        naive_cells = (
            f"{_ms(naive['p50'])} | {_ms(naive['p95'])} | {_ms(naive['max'])} | "
            f"{data['ratio_mean']:.1f}× (n={naive['n']})"
            if naive
            else "– | – | – | –"
        )
        if naive:
            agree = (
                "yes" if not data["naive_mismatches"] else f"{len(data['naive_mismatches'])} differ"
            )
        elif "total_mismatches" in data:
            differ = len(data["total_mismatches"])
            agree = (
                "totals = PostgreSQL" if not differ else f"{differ} totals differ from PostgreSQL"
            )
        else:
            agree = "–"
        out.append(
            f"| {key[1]}{_first(data)} | {ENGINE_NAMES.get(engine, engine)} | "
            f"{_ms(data['search']['p50'])} | "
            f"{_ms(data['search']['p95'])} | {_ms(data['search']['max'])} | {naive_cells} | "
            f"{agree} | {data['rss_peak_mb']:.0f} | {_load(data)} |"
        )
    rebuilds = [key for key in _sorted(rows, "search") if "rebuild" in rows[key]]
    if rebuilds:
        out.append(
            "\n### Elasticsearch rebuild (`rebuild_practice_index`: flatten, bulk, alias swap)\n"
        )
        out.append(
            "| size | documents | seconds | documents/s | flattening alone: "
            "practice_documents docs/s (same documents?) | per-page practice_to_document docs/s |"
        )
        out.append("|---|---:|---:|---:|---:|---:|")
        for key in rebuilds:
            rebuild = rows[key]["rebuild"]
            flat = rebuild.get("flatten")
            flat_cells = (
                f"{_per_second(flat, 'bulk')} ({'yes' if flat['equal'] else 'NO'}, "
                f"n={flat['documents']:,}) | {_per_second(flat, 'per_page')}"
                if flat
                else "– | –"
            )
            out.append(
                f"| {key[1]} | {rebuild['documents']:,} | {rebuild['seconds']:.1f} | "
                f"{rebuild['per_second']:,.0f} | {flat_cells} |"
            )
    published = _sorted(rows, "publish")
    if published:
        out.append(
            "\n### Publishing a city linked to 200 practices (a real `db_worker` process running)\n"
        )
        out.append(
            "Publish: save the revision, publish, commit and schedule the index update, as the "
            "editor's request does (target < 1 s); the first publish in a fresh process is shown "
            "apart. Re-indexed: from the start of the publish until the worker's index task has "
            "finished and a search for the city's new slug finds every linked practice "
            "(target < 30 s)."
        )
        out.append("")
        out.append(
            "| size | engine | practices | first publish ms | publish p50 ms | publish max ms "
            "| re-indexed p50 ms | re-indexed max ms | runs |"
        )
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for key in published:
            data = rows[key]
            out.append(
                f"| {key[1]} | {key[0]} | {data['linked']} | "
                f"{_ms(data.get('publish_first', float('nan')))} | {_ms(data['publish']['p50'])} | "
                f"{_ms(data['publish']['max'])} | {_ms(data['indexed']['p50'])} | "
                f"{_ms(data['indexed']['max'])} | {data['indexed']['n']} |"
            )
    flattened = _sorted(rows, "flatten")
    if flattened:
        out.append("\n### Flattening practices into search documents (no cluster)\n")
        out.append(
            "| size | sample | search.documents.practice_documents docs/s (what a rebuild uses) "
            "| per-page practice_to_document docs/s | same documents |"
        )
        out.append("|---|---:|---:|---:|---|")
        for key in flattened:
            flat = rows[key]["flatten"]
            out.append(
                f"| {key[1]} | {flat['documents']:,} | {_per_second(flat, 'bulk')} | "
                f"{_per_second(flat, 'per_page')} | {'yes' if flat['equal'] else 'NO'} |"
            )
    generated = _sorted(rows, "generate")
    if generated:
        out.append("\n### Data generation (bulk rows, then Wagtail's search index)\n")
        out.append("| size | database | rows s | Wagtail search index s | total s |")
        out.append("|---|---|---:|---:|---:|")
        for key in generated:
            data = rows[key]
            out.append(
                f"| {key[1]} | {key[0]} | {data['rows']:.1f} | {data['search_index']:.1f} | "
                f"{data['rows'] + data['search_index']:.1f} |"
            )
    for key in _sorted(rows, "pdf"):
        data = rows[key]
        out.append(f"\n### PDF practice sheet ({key[1]} practices, PostgreSQL)\n")
        out.append("| measurement | p50 ms | p95 ms | max ms |")
        out.append("|---|---:|---:|---:|")
        out.append(f"| cold (first render in a fresh process) | {_ms(data['cold_ms'])} | – | – |")
        if "first_after_warm_up_ms" in data:
            out.append(
                "| first render in a web worker (after its start-up `warm_up()`, "
                f"{_ms(data['warm_up_ms'])} ms) | {_ms(data['first_after_warm_up_ms'])} | – | – |"
            )
        warm = data["warm"]
        out.append(
            f"| warm render (n={warm['n']}) | {_ms(warm['p50'])} | {_ms(warm['p95'])} | "
            f"{_ms(warm['max'])} |"
        )
        out.append(
            "| first download of `/sheets/practice/<id>/` (render + store) | "
            f"{_ms(data['first_download_ms'])} | – | – |"
        )
        cached = data["cached"]
        out.append(
            f"| cached download of `/sheets/practice/<id>/` (n={cached['n']}) | "
            f"{_ms(cached['p50'])} | {_ms(cached['p95'])} | {_ms(cached['max'])} |"
        )
        out.append(
            f"\nSheet size {data['pdf_bytes']:,} bytes; fonts subset with "
            f"{data.get('subsetter', '?')}; peak RSS {data['rss_peak_mb']:.0f} MB; "
            f"load {_load(data)}."
        )
    for key in _sorted(rows, "http"):
        data = rows[key]
        out.append(
            f"\n### HTTP under load ({key[1]} practices; gunicorn, {data['workers']} workers, "
            f"PostgreSQL, production settings; wrk, {data['connections']} connections, "
            f"{data['duration']} s)\n"
        )
        out.append(
            "| target | requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for target in data["targets"]:
            out.append(
                f"| {target['name']} | {target['requests']:,} | {target['rps']:.1f} | "
                f"{_ms(target['p50'])} | {_ms(target['p95'])} | {_ms(target['p99'])} | "
                f"{_ms(target['max'])} | {target['errors']} ({target.get('timeouts', '?')} "
                f"timeouts of 10 s, {target.get('status_errors', '?')} non-2xx) |"
            )
    for key in _sorted(rows, "bundles"):
        data = rows[key]
        out.append(
            f"\n### Anonymous PDF bundles under load ({key[1]} practices; gunicorn, "
            f"{data['workers']} workers, one task worker, PostgreSQL, production settings; "
            f"{data['bundle_connections']} connections asking for 50-practice bundles and "
            f"{data['home_connections']} for the home page, {data['duration']} s)\n"
        )
        out.append(
            f"Gunicorn workers killed at the 30 s timeout: {data['workers_killed']}. "
            "Bundle answers are 202 (being prepared), 200 (ready) or 429 (limit reached; counted "
            "as non-2xx by wrk).\n"
        )
        out.append("| target | requests | requests/s | p50 ms | p95 ms | max ms | errors |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for name, label in (
            ("home_alone", "home page alone"),
            ("home_under_attack", "home page during the bundle requests"),
            ("bundles", "bundle requests"),
        ):
            target = data[name]
            out.append(
                f"| {label} | {target['requests']:,} | {target['rps']:.1f} | "
                f"{_ms(target['p50'])} | {_ms(target['p95'])} | {_ms(target['max'])} | "
                f"{target['errors']} ({target.get('timeouts', '?')} timeouts, "
                f"{target.get('status_errors', '?')} non-2xx) |"
            )
    out.append("\n### Runs (search/ was still changing: a digest of the code each run measured)\n")
    out.append("| run | code digest | load before→after |")
    out.append("|---|---|---|")
    for key in sorted(rows, key=lambda key: (ORDER.get(key[1], 9), ORDER.get(key[0], 9), key[2])):
        data = rows[key]
        out.append(f"| {'-'.join(key)} | {data.get('code', '–')} | {_load(data)} |")
    return "\n".join(out) + "\n"


def write_report(results, path):
    """Rewrite `path` with fresh tables, keeping the person-written notes."""
    path = Path(path)
    notes = f"{BEGIN}\n_(What dominates the cost: written by a person after a full run.)_\n{END}"
    if path.exists():
        found = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), path.read_text(), re.S)
        if found:
            notes = found.group(0)
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Written by `python -m bench` (`make bench`); see bench/__main__.py for the options. "
            "Targets are reported, not asserted; no timing is part of the test suite.",
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {machine()}",
            f"- Versions: {versions()}",
            "- Data: synthetic practices from bench/generate.py, seed 1 (about 40 countries, "
            "N/20 cities, 2 of the 18 RAN themes each, 1–4 audiences, 6 networks, Zipf tags over "
            "300 words, 150–300-word descriptions); query mix from bench/queries.py, seed 6.",
            "",
            "## What the numbers say",
            "",
            notes,
            "",
            "## Tables",
            "",
            tables(results),
        ]
    )
    path.write_text(text)
    return path


def _per_second(flat, kind):
    """A flattening rate; results written before practice_documents() existed name the per-page
    rate "current" and the prototype's "fast"."""
    old_names = {"bulk": "fast_per_second", "per_page": "current_per_second"}
    value = flat.get(f"{kind}_per_second", flat.get(old_names[kind]))
    return f"{value:,.0f}" if value is not None else "–"

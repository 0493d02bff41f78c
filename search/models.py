"""What the search app stores: the database engine's index of practices and their vectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PracticeDocument(models.Model):
    """The database engine's index: one row per searchable practice (docs/search.md).

    `document` is the flattened practice (search.documents, the same dict Elasticsearch
    stores); the other columns are what a search filters, orders and counts on. Its words are
    held by a full-text table per database (search/fulltext.py) and its facet values by
    PracticeFacetValue. Written by search.index, in the transaction of the change for a few
    practices, by the worker for more; a practice that is not searchable has no row.
    """

    # Not cascaded by Django or the database: search/index.py alone writes and deletes the
    # index rows (a deleted practice's rows go in the same transaction, search/signals.py).
    page = models.OneToOneField(
        "practices.PracticePage",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="search_document",
    )
    # Tree path, for visibility: a view restriction hides the subtree under its page.
    path = models.CharField(_("path"), max_length=255, db_index=True)
    title_sort = models.CharField(_("title for sorting"), max_length=255)
    published = models.BigIntegerField(_("first published (microseconds)"), null=True)
    updated = models.PositiveSmallIntegerField(_("last update year"), null=True)
    start = models.PositiveSmallIntegerField(_("start year"), null=True)
    # Its facet values as FacetValueCode codes (int32, little-endian): a search reads the
    # codes of the documents it matched in one query and counts them with numpy.
    facet_codes = models.BinaryField(_("facet value codes"), default=b"")
    written_at = models.DateTimeField(_("written at"), auto_now=True)
    # A checksum of the page id, path, title_sort, published, updated and facet_codes
    # (search.table): their sum tells a process whether its copy of those columns is current.
    digest = models.IntegerField(_("digest"), default=0)
    # The large columns last: SQLite reads a row's columns in order, so the ones a search
    # reads for every match come before the document (several kB, in overflow pages).
    # The distinct words of the texts, space-separated: the vocabulary is counted from them.
    words = models.TextField(_("words"), blank=True)
    document = models.JSONField(_("document"))

    class Meta:
        verbose_name = _("practice search document")
        indexes = [
            models.Index(fields=["title_sort", "page"]),
            models.Index(fields=["published"]),
            models.Index(fields=["updated"]),
            models.Index(fields=["written_at"]),
            # Every search sums the digests (search.table): from this index alone.
            models.Index(fields=["digest"]),
        ]

    def __str__(self):
        return self.document.get("title", str(self.pk))


class PracticeFacetValue(models.Model):
    """One facet value of one indexed practice (a theme slug, a country code, a year...)."""

    document = models.ForeignKey(
        PracticeDocument,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="facet_values",
    )
    facet = models.CharField(_("facet"), max_length=20)
    value = models.CharField(_("value"), max_length=255)

    class Meta:
        verbose_name = _("practice facet value")
        indexes = [
            # Counting: every value of a facet with its practices, read from the index alone.
            models.Index(fields=["facet", "value", "document"]),
            # Counting over a set of documents: each one's values, read from the index alone.
            models.Index(fields=["document", "facet", "value"]),
        ]

    def __str__(self):
        return f"{self.document_id} {self.facet}={self.value}"


class FacetValueCode(models.Model):
    """A number for each facet value ever indexed (rows are only added): what
    PracticeDocument.facet_codes holds."""

    facet = models.CharField(_("facet"), max_length=20)
    value = models.CharField(_("value"), max_length=255)

    class Meta:
        verbose_name = _("facet value code")
        constraints = [
            models.UniqueConstraint(fields=["facet", "value"], name="one_code_per_value")
        ]

    def __str__(self):
        return f"{self.pk}: {self.facet}={self.value}"


class FacetCount(models.Model):
    """How many indexed practices have a facet value, per set of view restrictions guarding
    them: the facet counts of a search without words or other filters (the home page, the
    search page as it opens), kept by search/index.py as documents are written, so they are
    not counted from every facet value on each request."""

    # The ids of the restricted pages guarding the practices (their document's
    # restricted_by), comma-separated in order; "" for public practices.
    guards = models.CharField(_("guarding restrictions"), max_length=255, blank=True)
    facet = models.CharField(_("facet"), max_length=20)
    value = models.CharField(_("value"), max_length=255)
    count = models.IntegerField(_("practices"), default=0)

    class Meta:
        verbose_name = _("facet count")
        constraints = [
            models.UniqueConstraint(fields=["guards", "facet", "value"], name="one_count_per_value")
        ]

    def __str__(self):
        return f"{self.facet}={self.value} ({self.guards or 'public'}): {self.count}"


class SearchTerm(models.Model):
    """A word of the indexed practices and how many hold it: the vocabulary that spelling
    suggestions are drawn from (search/spelling.py)."""

    term = models.CharField(_("term"), max_length=40, primary_key=True)
    length = models.PositiveSmallIntegerField(_("length"))
    documents = models.IntegerField(_("practices holding it"), default=0)

    class Meta:
        verbose_name = _("search term")
        indexes = [models.Index(fields=["length", "term"])]

    def __str__(self):
        return f"{self.term} ({self.documents})"


class PracticeVector(models.Model):
    """A practice's text embedded by one model: what semantic search compares queries with.

    One row per practice and model. `text_hash` is the digest of the text that was embedded
    (search.documents.embedding_text), so unchanged text is never embedded again, and a new
    model (another `model_id`) embeds everything afresh. Only searchable practices have rows;
    visibility is still checked at query time by the engines.
    """

    page = models.ForeignKey(
        "practices.PracticePage", on_delete=models.CASCADE, related_name="vectors"
    )
    model_id = models.CharField(_("model"), max_length=100)
    text_hash = models.CharField(_("digest of the embedded text"), max_length=64)
    # float32 values, little-endian (numpy's own bytes): 1.5 kB for 384 dimensions.
    vector = models.BinaryField(_("vector"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # A checksum of the page id and `vector` (search.semantic.vector_fields): its sum tells
    # a process whether the vectors it keeps are current (search/kept.py).
    digest = models.IntegerField(_("digest"), default=0)

    class Meta:
        verbose_name = _("practice vector")
        constraints = [
            models.UniqueConstraint(fields=["page", "model_id"], name="one_vector_per_model")
        ]
        indexes = [
            models.Index(fields=["model_id", "updated_at"]),
            # Every search sums a model's digests (search/kept.py): from this index alone.
            models.Index(fields=["model_id", "digest"]),
        ]

    def __str__(self):
        return f"{self.page_id} · {self.model_id}"

"""What the search app stores: the token that says which state of the practices is current."""

import uuid

from django.db import models
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _

PRACTICES = "practices"


class IndexGeneration(models.Model):
    """One row per change to a practice, or to anything shown in its facets.

    The database engine caches its facet columns under the state of this table (search/
    columns.py). A change inserts its row in the transaction that makes the change, so other
    processes see the new state exactly when they can see the new data. Rows are only ever
    inserted (and old ones pruned), never updated, so concurrent editors and a long import
    never wait for one another here. The state combines the number of rows, the sum of their
    ids and the random token of the newest: every commit changes it, and a rolled-back change
    whose id is reused (SQLite reuses the highest id) differs by its token.
    """

    name = models.CharField(_("name"), max_length=50, db_index=True)
    token = models.CharField(_("token"), max_length=32)

    # Rows kept per name: older ones are pruned now and then (which changes the state too).
    KEEP = 1000

    class Meta:
        verbose_name = _("search index generation")

    def __str__(self):
        return f"{self.name}: {self.token}"

    @classmethod
    def current(cls, name=PRACTICES):
        """The current state as a string ("" until the first change is recorded)."""
        rows = cls.objects.filter(name=name)
        newest = rows.order_by("-pk").values("token")[:1]
        states = (
            rows.order_by()
            .values("name")
            .annotate(count=models.Count("pk"), total=models.Sum("pk"), newest=Subquery(newest))
            .values_list("count", "total", "newest")
        )
        return "".join("-".join(str(part) for part in state) for state in states[:1])

    @classmethod
    def advance(cls, name=PRACTICES):
        """Record that the data changed."""
        entry = cls.objects.create(name=name, token=uuid.uuid4().hex)
        if entry.pk % cls.KEEP == 0:
            cls.objects.filter(name=name, pk__lte=entry.pk - cls.KEEP).delete()


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

    class Meta:
        verbose_name = _("practice vector")
        constraints = [
            models.UniqueConstraint(fields=["page", "model_id"], name="one_vector_per_model")
        ]
        indexes = [models.Index(fields=["model_id", "updated_at"])]

    def __str__(self):
        return f"{self.page_id} · {self.model_id}"

"""What the search app stores: the token that says which state of the practices is current."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

PRACTICES = "practices"


class IndexGeneration(models.Model):
    """A random token replaced whenever a practice, or anything shown in its facets, changes.

    The database engine caches its facet columns under this token (search/columns.py). The
    token is written in the transaction that changes the data, so other processes see the
    new token exactly when they can see the new data; it is random rather than a counter so
    that a rolled-back change can never reuse a token another state was cached under.
    """

    name = models.CharField(_("name"), max_length=50, unique=True)
    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("search index generation")

    def __str__(self):
        return f"{self.name}: {self.token}"

    @classmethod
    def current(cls, name=PRACTICES):
        """The current token ("" until the first change is recorded)."""
        return cls.objects.filter(name=name).values_list("token", flat=True).first() or ""

    @classmethod
    def advance(cls, name=PRACTICES):
        """Record that the data changed: write a new token."""
        cls.objects.update_or_create(name=name, defaults={"token": uuid.uuid4().hex})

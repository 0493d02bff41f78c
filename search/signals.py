"""Keep the practice index in step with the database (HOUSE_STYLE.md habit 7).

Publish, unpublish, move, delete, view-restriction changes and vocabulary renames each hand
the practices they affect to schedule_index() once the transaction commits (so a worker reads
committed data, and a rolled-back edit changes nothing): a few practices are re-indexed at
once where the engine allows it, more go to the worker as one index_practices task.

Any saved, moved or deleted practice, city or network, and any changed vocabulary term, also
adds an IndexGeneration row at once, inside the transaction that makes the change: the
database engine's cached facet columns (search/columns.py) are keyed on the generation.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from practices.models import (
    CityPage,
    FundingProgramme,
    KeyTheme,
    NetworkPage,
    OrganisationType,
    PracticePage,
    PracticeTag,
    TargetAudience,
)

from .models import IndexGeneration
from .tasks import schedule_index

VOCABULARIES = (KeyTheme, TargetAudience, OrganisationType, FundingProgramme, PracticeTag)
# Pages whose rows or slugs the facet columns hold.
COLUMN_PAGES = (PracticePage, CityPage, NetworkPage)


def columns_changed(sender, raw=False, **kwargs):
    """A practice, or a value its facets show, changed: retire the cached facet columns."""
    if not raw:  # fixtures load raw, and a loaded database starts without cached columns
        IndexGeneration.advance()


for model in COLUMN_PAGES + VOCABULARIES:
    post_save.connect(columns_changed, sender=model, dispatch_uid=f"columns-{model.__name__}-save")
    post_delete.connect(
        columns_changed, sender=model, dispatch_uid=f"columns-{model.__name__}-delete"
    )


def sync_after_commit(page_ids):
    """Schedule one index update for these practices once the current transaction commits."""
    page_ids = sorted(set(page_ids))
    if page_ids:
        # robust: a failing index update is logged and never breaks the editor's request.
        transaction.on_commit(lambda: schedule_index(page_ids), robust=True)


def practices_in_subtree(page):
    """The ids of the practices at or below `page` (their visibility depends on its place)."""
    return PracticePage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)


def practices_using(term):
    """The ids of the practices that carry a vocabulary term or tag."""
    if isinstance(term, PracticeTag):
        return PracticePage.objects.filter(tags=term).values_list("pk", flat=True)
    return term.practices.values_list("pk", flat=True)


@receiver(page_published)
def page_was_published(sender, instance, **kwargs):
    """A practice changed; or a city or network did, whose slug its practices carry."""
    if isinstance(instance, PracticePage):
        sync_after_commit([instance.pk])
    elif isinstance(instance, CityPage):
        sync_after_commit(PracticePage.objects.filter(cities=instance).values_list("pk", flat=True))
    elif isinstance(instance, NetworkPage):
        sync_after_commit(
            PracticePage.objects.filter(networks=instance).values_list("pk", flat=True)
        )


@receiver(page_unpublished)
def page_was_unpublished(sender, instance, **kwargs):
    """An unpublished practice leaves the index (Wagtail signals each unpublished descendant)."""
    if isinstance(instance, PracticePage):
        sync_after_commit([instance.pk])


@receiver(post_page_move)
def page_was_moved(sender, instance, **kwargs):
    """Moving a page can put its practices under (or out of) a view restriction."""
    IndexGeneration.advance()  # the columns keep each practice's tree path
    sync_after_commit(practices_in_subtree(instance))


@receiver(post_delete, sender=PracticePage)
def practice_was_deleted(sender, instance, **kwargs):
    """A deleted practice leaves the index."""
    sync_after_commit([instance.pk])


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def view_restriction_changed(sender, instance, raw=False, **kwargs):
    """Privacy changed for a subtree: its practices' restriction ids change, and what the
    public sees of it (the home page's cached city list follows IndexGeneration)."""
    if raw:
        return
    IndexGeneration.advance()
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:  # None while the restricted page itself is being deleted
        sync_after_commit(practices_in_subtree(page))


def vocabulary_term_saved(sender, instance, created=False, raw=False, **kwargs):
    """A renamed term (or a new slug) changes the texts and facet values of its practices."""
    if not created and not raw:
        sync_after_commit(practices_using(instance))


def vocabulary_term_deleted(sender, instance, **kwargs):
    """A deleted term leaves its practices; read them before the links are gone."""
    sync_after_commit(list(practices_using(instance)))


for vocabulary in VOCABULARIES:
    post_save.connect(
        vocabulary_term_saved, sender=vocabulary, dispatch_uid=f"search-{vocabulary.__name__}-saved"
    )
    pre_delete.connect(
        vocabulary_term_deleted,
        sender=vocabulary,
        dispatch_uid=f"search-{vocabulary.__name__}-deleted",
    )

"""Controlled vocabularies (snippets curators edit) and the practice tag model."""

from collections.abc import Iterable

from django import forms
from django.db import models
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from taggit.models import ItemBase, TagBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

# The interface languages other than English whose labels a term carries (settings.LANGUAGES).
# English is `label` itself: the stable name machine channels, the index and imports use.
TRANSLATED_LANGUAGES = ("fr", "nl", "de", "es")

TRANSLATION_HELP = _(
    "Shown to readers who use the site in this language. Left empty, they see the label."
)


def _translated_label(verbose_name):
    """A blank label field for one interface language."""
    return models.CharField(verbose_name, max_length=150, blank=True, help_text=TRANSLATION_HELP)


class VocabularyTerm(index.Indexed, models.Model):
    """A term of a controlled vocabulary, with the network it comes from and an active flag."""

    label = models.CharField(_("label"), max_length=150, unique=True)
    label_fr = _translated_label(_("label in French"))
    label_nl = _translated_label(_("label in Dutch"))
    label_de = _translated_label(_("label in German"))
    label_es = _translated_label(_("label in Spanish"))
    slug = models.SlugField(
        _("slug"),
        max_length=150,
        unique=True,
        blank=True,
        help_text=_("Used in search URLs. Filled in from the label when left empty."),
    )
    source_network = models.ForeignKey(
        "practices.NetworkPage",
        verbose_name=_("source network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The network whose vocabulary this term belongs to."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the term covers, in a sentence or two, for editors choosing it."),
    )
    # Slugs the term had before: search URLs saved or shared with an old slug still work.
    former_slugs = models.JSONField(_("former slugs"), default=list, blank=True, editable=False)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive terms stay on existing practices but are not offered for new ones."),
    )

    panels = [
        FieldPanel("label"),
        MultiFieldPanel(
            [FieldPanel(f"label_{code}") for code in TRANSLATED_LANGUAGES],
            heading=_("Translations"),
        ),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("source_network"),
        FieldPanel("active"),
    ]
    search_fields = [index.SearchField("label"), index.AutocompleteField("label")]

    class Meta:
        abstract = True
        ordering = ["label"]

    def __str__(self):
        # Templates, chips, facets and the admin print terms: they show the reader's language.
        # Machine channels (API, OAI, exports, the index) read `label` and stay English.
        return self.localized_label

    def save(self, *args, **kwargs):
        """Fill the slug from the label when it is empty; remember a slug that changes."""
        if not self.slug:
            self.slug = slugify(self.label)[:150]
        _remember_former_slug(self)
        super().save(*args, **kwargs)

    def label_in(self, language):
        """The label in `language` (a code such as "fr" or "fr-be"), else the English label."""
        code = (language or "").split("-")[0].lower()
        if code in TRANSLATED_LANGUAGES:
            return getattr(self, f"label_{code}") or self.label
        return self.label

    @property
    def localized_label(self):
        """The label in the active language, falling back to the English label."""
        return self.label_in(get_language())


class DescribedCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes for vocabulary terms whose description shows when the pointer rests on one."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        """The option, with the term's description as its title."""
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        description = getattr(getattr(value, "instance", None), "description", "")
        if description:
            option["attrs"]["title"] = description
        return option


class KeyTheme(VocabularyTerm):
    """A key theme (RAN: 18 themes; a practice chooses a fixed number of them)."""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("key theme")
        verbose_name_plural = _("key themes")


class TargetAudience(VocabularyTerm):
    """A target audience of a practice (at least one per practice)."""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("target audience")
        verbose_name_plural = _("target audiences")


class OrganisationType(VocabularyTerm):
    """The legal kind of organisation behind a practice (NGO, governmental, ...)."""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("organisation type")
        verbose_name_plural = _("organisation types")


class FundingProgramme(VocabularyTerm):
    """A funding programme a practice is linked to (ISF-Police, ESF, Erasmus+, ...)."""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")


class PracticeTag(TagBase):
    """A free keyword on practices, kept apart from image and document tags."""

    # Slugs of this tag before a rename, and of the tags merged into it (practices/tag_merge.py):
    # `?tag=<old slug>` search URLs still find its practices.
    former_slugs = models.JSONField(_("former slugs"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("practice tag")
        verbose_name_plural = _("practice tags")
        ordering = ["name"]

    def save(self, *args, **kwargs):
        """Remember a slug that changes (taggit fills a new tag's slug itself)."""
        _remember_former_slug(self)
        super().save(*args, **kwargs)


class TaggedPractice(ItemBase):
    """Links a practice page to one of its tags."""

    tag = models.ForeignKey(PracticeTag, on_delete=models.CASCADE, related_name="tagged_practices")
    content_object = ParentalKey(
        "practices.PracticePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


def _remember_former_slug(term):
    """Add the slug stored for `term` to its former slugs when the slug is being changed."""
    if not term.pk:
        return
    previous = type(term).objects.filter(pk=term.pk).values_list("slug", flat=True).first()
    if previous and previous != term.slug and previous not in term.former_slugs:
        term.former_slugs = [*term.former_slugs, previous]
    # A slug given back to the term is its current slug again, not a former one.
    if term.slug in term.former_slugs:
        term.former_slugs = [slug for slug in term.former_slugs if slug != term.slug]


def current_slugs(model, slugs: Iterable[str]) -> dict[str, str]:
    """{former slug: current slug} for those of `slugs` that a term of `model` had before.

    Only terms that were renamed or merged have former slugs, so the few such rows are read
    and matched here: the same on SQLite and PostgreSQL, whatever characters a slug holds.
    A slug that a term has now is never an alias (the caller asks only about unknown ones).
    """
    wanted = set(slugs)
    if not wanted:
        return {}
    found = {}
    rows = model.objects.exclude(former_slugs=[]).values_list("slug", "former_slugs")
    for current, former in rows.order_by("pk"):
        for slug in wanted.intersection(former or ()):
            found.setdefault(slug, current)
    return found

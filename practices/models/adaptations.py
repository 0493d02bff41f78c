"""'We adapted this in our city': another city's account of taking over a practice."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.models import Page
from wagtail.search import index

from ..visibility import contact_visible, visible_pages
from .fields import IndexedRichTextField

RICH_TEXT = ["h3", "h4", "bold", "italic", "ol", "ul", "link"]


def _text(verbose_name, help_text):
    return IndexedRichTextField(verbose_name, features=RICH_TEXT, blank=True, help_text=help_text)


class AdaptationPage(Page):
    """An adaptation report, filed under the adopting city and linked to the original practice
    (as URBACT's transfer stories and EUDA Xchange's implementation experiences are). Its
    city's editors write it; the Network review workflow publishes it, as for practices."""

    original = models.ForeignKey(
        "practices.PracticePage",
        verbose_name=_("original practice"),
        # A removed original leaves the other city's report standing, linked to nothing.
        on_delete=models.SET_NULL,
        null=True,
        related_name="adaptations",
        help_text=_("The practice your city adapted."),
    )
    started_year = models.PositiveSmallIntegerField(
        _("started in"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    what_adapted = _text(
        _("what was adapted and why"),
        _("What you took over, what you changed for your city, and why."),
    )
    cost = _text(_("what it cost"), _("Money, staff time and partners it took."))
    obstacles = _text(_("obstacles"), _("What got in the way, and how you dealt with it."))
    results = _text(_("results so far"), _("What has come of it, measured or observed."))
    contact_name = models.CharField(_("contact person"), max_length=255, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_consent = models.BooleanField(
        _("the contact person agrees to be listed publicly"), default=False
    )

    parent_page_types = ["practices.CityPage"]
    subpage_types = []

    content_panels = [
        *Page.content_panels,
        PageChooserPanel("original", page_type="practices.PracticePage"),
        FieldPanel("started_year"),
        FieldPanel("what_adapted"),
        FieldPanel("cost"),
        FieldPanel("obstacles"),
        FieldPanel("results"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_email")]),
                FieldPanel("contact_consent"),
            ],
            heading=_("Contact"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("what_adapted"),
        index.SearchField("results"),
    ]

    class Meta:
        verbose_name = _("adaptation report")

    @property
    def city(self):
        """The adopting city (the page this report is filed under)."""
        return self.get_parent().specific

    def contact_visible_to(self, user):
        """The contact is public with consent; otherwise only members see it."""
        return contact_visible(self.contact_consent, user)

    def get_context(self, request, *args, **kwargs):
        """Whether this visitor sees the contact, and whether they may see the original."""
        context = super().get_context(request, *args, **kwargs)
        context["show_contact"] = self.contact_visible_to(request.user)
        from .pages import PracticePage

        context["original"] = (
            PracticePage.objects.visible_to(request.user).filter(pk=self.original_id).first()
        )
        return context


def adaptations_visible_to(user, **filters):
    """The adaptation reports `user` may see (live, outside restrictions they do not pass)."""
    return visible_pages(AdaptationPage.objects.filter(**filters), user)

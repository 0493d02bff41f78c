"""The page tree: home, cities, networks, events and practices (DESIGN.md, "Content tree")."""

from collections import Counter, defaultdict
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.conf.global_settings import LANGUAGES
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from ..forms import PracticePageForm, TypeaheadSelectMultiple, YearInput
from ..panels import ErrorSummaryPanel
from ..rules import word_count
from ..visibility import contact_visible, is_restricted, visible_pages
from .fields import IndexedRichTextField
from .vocabularies import DescribedCheckboxSelectMultiple, TaggedPractice

RICH_TEXT = settings.PRACTICE_RICH_TEXT_FEATURES
# A practice's years: none of the RAN Collection's practices starts before 1950, and a year past
# next year is a typing error (a practice may be planned to start next year, not later).
FIRST_YEAR = 1950


def latest_year():
    """The last year a practice's start, end or update may be: next year."""
    return date.today().year + 1


def validate_year(value):
    """Refuse a year outside FIRST_YEAR..next year, naming the years that are accepted."""
    if value is not None and not FIRST_YEAR <= value <= latest_year():
        raise ValidationError(
            _("Enter a year from %(first)s to %(last)s."),
            code="year_out_of_range",
            params={"first": FIRST_YEAR, "last": latest_year()},
        )


YEAR_VALIDATORS = [validate_year]
LISTING_PAGE_SIZE = 20


def _rich_text(verbose_name, help_text="", blank=True):
    """A rich-text field with the editor features every practice text shares."""
    return IndexedRichTextField(verbose_name, features=RICH_TEXT, blank=blank, help_text=help_text)


def _image(verbose_name, help_text=""):
    """A Wagtail image on a page (logo or photo), described by its own alt-text field."""
    return models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=help_text,
    )


def _alt_text():
    """The alt text of a page's image: what it shows, in the page's context (required with one)."""
    return models.CharField(
        _("image description (alt text)"),
        max_length=255,
        blank=True,
        help_text=_(
            "What the image shows, for people who cannot see it, in a sentence. Required "
            "when there is an image."
        ),
    )


def check_alt_text(page, image_field, alt_field):
    """Refuse an image without alt text: an image is only as useful as its description."""
    if getattr(page, f"{image_field}_id") and not getattr(page, alt_field).strip():
        raise ValidationError({alt_field: _("Describe the image for people who cannot see it.")})


def _paginate(request, queryset):
    """Return the page of `queryset` asked for by ?page=, falling back to the nearest valid one."""
    return Paginator(queryset, LISTING_PAGE_SIZE).get_page(request.GET.get("page"))


class HomePage(Page):
    """The site root: what the hub is, with links into cities, networks and practices."""

    intro = _rich_text(_("introduction"))

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "practices.CityIndexPage",
        "practices.NetworkIndexPage",
        "practices.PracticeIndexPage",
        "practices.UnfiledPracticesPage",
    ]
    max_count = 1

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        """Add the latest practices, counts by theme and network, and the cities.

        The counts are the search engine's facet counts for an empty search by this reader,
        so a theme's or network's number is exactly what its link to the search page finds,
        and on the database engine they are a few counting queries over its index.
        """
        from search.backends import get_backend
        from search.backends.base import SearchParams
        from search.index import content_state

        context = super().get_context(request, *args, **kwargs)
        overview = get_backend().search(
            SearchParams(user=request.user, per_page=1, counted=frozenset({"theme", "network"}))
        )
        context["practice_count"] = overview.total
        context["theme_counts"] = overview.facets["theme"]
        by_network = {option.slug: option.count for option in overview.facets["network"]}
        networks = list(NetworkPage.objects.live().public())
        for network in networks:
            network.count = by_network.get(network.slug, 0)
        networks.sort(key=lambda network: (-network.count, network.title.casefold()))
        # A network with nothing this reader may see would lead to an empty search.
        context["network_counts"] = [network for network in networks if network.count]
        visible = PracticePage.objects.visible_to(request.user)
        context["latest_practices"] = visible.order_by("-first_published_at").prefetch_related(
            "cities", "key_themes"
        )[:6]
        context["cities"] = CityPage.objects.live().public().order_by("title")
        # The list of cities is the same for every reader and was most of the page's cost
        # (hundreds of pages and their URLs); the template caches it under the state that
        # any change to a city, or to privacy, moves on.
        context["content_state"] = content_state()
        context["practice_index"] = PracticeIndexPage.objects.live().first()
        return context


class IndexPage(Page):
    """A section under the home page (Cities, Networks, Practices): one of each, with an intro."""

    intro = _rich_text(_("introduction"))

    parent_page_types = ["practices.HomePage"]
    max_count = 1

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        abstract = True


class CityIndexPage(IndexPage):
    """The directory of cities."""

    subpage_types = ["practices.CityPage"]

    class Meta:
        verbose_name = _("cities index")

    def get_context(self, request, *args, **kwargs):
        """Add the live cities, alphabetically, filtered by ?country= when it names one."""
        context = super().get_context(request, *args, **kwargs)
        cities = CityPage.objects.child_of(self).live().public().order_by("title")
        codes = sorted(set(cities.values_list("country", flat=True)))
        context["countries"] = [(code, dict(countries)[code]) for code in codes if code]
        country = request.GET.get("country", "").upper()
        if country in dict(context["countries"]):
            cities = cities.filter(country=country)
            context["selected_country"] = country
        elif country:
            context["unknown_country"] = True
        context["cities"] = cities
        return context


class NetworkIndexPage(IndexPage):
    """The directory of networks."""

    subpage_types = ["practices.NetworkPage"]

    class Meta:
        verbose_name = _("networks index")

    def get_context(self, request, *args, **kwargs):
        """Add the live networks, alphabetically."""
        context = super().get_context(request, *args, **kwargs)
        context["networks"] = NetworkPage.objects.child_of(self).live().public().order_by("title")
        return context


class PracticeIndexPage(IndexPage):
    """Every practice in one list; the faceted search is built on this page."""

    subpage_types = []

    class Meta:
        verbose_name = _("practices index")

    def get_context(self, request, *args, **kwargs):
        """Add one page of the practices the visitor may see, newest first."""
        context = super().get_context(request, *args, **kwargs)
        practices = PracticePage.objects.visible_to(request.user).order_by("-first_published_at")
        context["practices"] = _paginate(request, practices)
        return context


class UnfiledPracticesPage(IndexPage):
    """Where imported practices with neither an owning city nor a network wait, as drafts,
    for a curator to move them (Wagtail's move action) under the city or network they
    belong to. Made by the importer when first needed; only curators see it (a view
    restriction, and no one else has rights on it)."""

    subpage_types = ["practices.PracticePage"]
    is_creatable = False

    class Meta:
        verbose_name = _("unfiled practices")

    def get_context(self, request, *args, **kwargs):
        """Add the practices waiting here (a curator's view: the page is restricted)."""
        context = super().get_context(request, *args, **kwargs)
        context["practices"] = PracticePage.objects.child_of(self).order_by("title")
        return context


class NetworkPage(Page):
    """A network of cities or practitioners (RAN, Efus, Strong Cities Network, ...)."""

    short_name = models.CharField(
        _("short name"),
        max_length=60,
        unique=True,
        help_text=_("The name people use, such as RAN or Efus; the importer matches on it."),
    )
    description = _rich_text(_("description"))
    website = models.URLField(_("website"), blank=True)
    logo = _image(_("logo"))
    logo_alt = _alt_text()

    parent_page_types = ["practices.NetworkIndexPage"]
    subpage_types = ["practices.EventPage", "practices.PracticePage"]

    content_panels = [
        *Page.content_panels,
        FieldPanel("short_name"),
        FieldPanel("description"),
        FieldPanel("website"),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("logo_alt")], heading=_("Logo")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("short_name")]

    class Meta:
        verbose_name = _("network")

    def clean(self):
        """A logo needs its alt text."""
        super().clean()
        check_alt_text(self, "logo", "logo_alt")

    def get_context(self, request, *args, **kwargs):
        """Add the network's events (newest first) and the practices it curates or lists."""
        context = super().get_context(request, *args, **kwargs)
        context["events"] = (
            EventPage.objects.child_of(self).live().public().order_by("-date", "title")
        )
        practices = (
            PracticePage.objects.visible_to(request.user)
            .filter(networks=self)
            .order_by("title")
            .distinct()
        )
        context["practices"] = _paginate(request, practices)
        return context


class CityPage(RoutablePageMixin, Page):
    """A city and its profile (the icommit multi-stakeholder team factsheet of seed 001)."""

    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    networks = ParentalManyToManyField(
        "practices.NetworkPage", verbose_name=_("networks"), blank=True, related_name="cities"
    )
    intro = models.TextField(_("introduction"), blank=True)
    image = _image(_("image or logo"), _("A photo of the city or its logo, shown on its page."))
    image_alt = _alt_text()

    # Profile, in the order of the factsheet.
    risk_landscape = _rich_text(_("risk landscape"))
    primary_focus = _rich_text(_("primary focus"))
    stakeholders = _rich_text(
        _("stakeholders currently involved"),
        _("Who takes part, how cases are discussed and escalated."),
    )
    coordinating_body = models.CharField(_("coordinating body"), max_length=255, blank=True)
    further_stakeholders = _rich_text(_("further stakeholders to involve"))
    major_contribution = _rich_text(_("major contribution to preventing violent extremism"))
    network_impact = _rich_text(
        _("impact of network participation"),
        _("How taking part in a network (such as icommit) changed the work."),
    )
    future_focus = _rich_text(_("future focus"))
    advice = _rich_text(_("advice for other cities"))

    parent_page_types = ["practices.CityIndexPage"]
    subpage_types = ["practices.PracticePage", "practices.AdaptationPage"]

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("country"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("networks", widget=forms.CheckboxSelectMultiple),
                FieldPanel("intro"),
            ],
            heading=_("City"),
        ),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        MultiFieldPanel(
            [
                FieldPanel("risk_landscape"),
                FieldPanel("primary_focus"),
                FieldPanel("stakeholders"),
                FieldPanel("coordinating_body"),
                FieldPanel("further_stakeholders"),
                FieldPanel("major_contribution"),
                FieldPanel("network_impact"),
                FieldPanel("future_focus"),
                FieldPanel("advice"),
            ],
            heading=_("City profile"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("risk_landscape"),
        index.SearchField("major_contribution"),
    ]

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def clean(self):
        """An image needs its alt text."""
        super().clean()
        check_alt_text(self, "image", "image_alt")

    PROFILE_FIELDS = (
        "risk_landscape",
        "primary_focus",
        "stakeholders",
        "coordinating_body",
        "further_stakeholders",
        "major_contribution",
        "network_impact",
        "future_focus",
        "advice",
    )

    @property
    def profile_sections(self):
        """The filled-in profile fields as (heading, value, is_rich_text), in factsheet order."""
        sections = []
        for name in self.PROFILE_FIELDS:
            value = getattr(self, name)
            if value:
                field = self._meta.get_field(name)
                sections.append((field.verbose_name, value, isinstance(field, RichTextField)))
        return sections

    def get_context(self, request, *args, **kwargs):
        """Add the practices this city owns or takes part in."""
        context = super().get_context(request, *args, **kwargs)
        context["practices"] = _paginate(request, self.practices_for(request.user))
        from .adaptations import adaptations_visible_to

        reports = list(adaptations_visible_to(request.user).child_of(self)) if self.pk else []
        # The originals' titles only where the visitor may see the original itself.
        originals = PracticePage.objects.visible_to(request.user).filter(
            pk__in=[report.original_id for report in reports]
        )
        titles = dict(originals.values_list("pk", "title"))
        for report in reports:
            report.original_title = titles.get(report.original_id)
        context["adaptations"] = reports
        return context

    def practices_for(self, user):
        """The practices `user` may see that this city owns (below it) or takes part in, by
        title: on its page and in its factsheet.

        The two id sets are joined with a UNION: an OR across the cities join, with
        DISTINCT, made PostgreSQL scan every practice (60 ms at 10k practices).
        """
        owned = PracticePage.objects.filter(path__startswith=self.path).order_by().values("pk")
        in_scope = PracticePage.cities.through.objects.filter(citypage=self).values(
            "practicepage_id"
        )
        return (
            PracticePage.objects.visible_to(user)
            .filter(pk__in=owned.union(in_scope))
            .order_by("title")
        )

    @property
    def factsheet_url(self):
        """Where the city factsheet PDF is downloaded (served by id, without page routing)."""
        # A page previewed before its first save has no id, and so no sheet yet.
        return reverse("sheets:city", args=[self.pk]) if self.pk else ""

    @path("pdf/")
    def pdf_factsheet(self, request):
        """The factsheet's former address, kept for links already shared."""
        return redirect(self.factsheet_url, permanent=True)


class EventPage(Page):
    """A network meeting, workshop or webinar where practices are presented and discussed."""

    date = models.DateField(_("date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    summary = _rich_text(_("summary"))
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)

    parent_page_types = ["practices.NetworkPage"]
    subpage_types = []

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("end_date")]),
        FieldPanel("place"),
        FieldPanel("summary"),
        InlinePanel("sessions", heading=_("Sessions"), label=_("Session")),
        InlinePanel("key_takeaways", heading=_("Key takeaways"), label=_("Key takeaway")),
        FieldPanel("source_url"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    class Meta:
        verbose_name = _("event")

    def clean(self):
        """An event cannot end before it starts."""
        super().clean()
        if self.end_date and self.date and self.end_date < self.date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})

    def get_context(self, request, *args, **kwargs):
        """Add the practices presented and discussed at this event."""
        context = super().get_context(request, *args, **kwargs)
        context["practices"] = (
            PracticePage.objects.visible_to(request.user)
            .filter(presented_at__event=self)
            .order_by("title")
            .distinct()
        )
        return context


class EventSession(Orderable):
    """One session of an event."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("title"), FieldPanel("description")]


class EventTakeaway(Orderable):
    """One key takeaway of an event."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="key_takeaways")
    text = models.TextField(_("takeaway"))

    panels = [FieldPanel("text")]


# The permission that lets curators set a practice's curation fields (roles.py grants it).
CURATE_PERMISSION = "practices.curate_practicepage"


class PracticePageQuerySet(PageQuerySet):
    """Queries on practices, with the one visibility rule every channel uses."""

    def visible_to(self, user):
        """The practices `user` may find in listings, feeds, the sitemap and search.

        Live and not archived, and outside every view restriction the user does not pass
        (members-only practices are restricted to the Members group). Every channel uses
        this, so the rule lives in one place.
        """
        return visible_pages(self, user).filter(archived=False)


PracticePageManager = PageManager.from_queryset(PracticePageQuerySet)


class PracticePage(RoutablePageMixin, Page):
    """A good practice, with the fields of the RAN Collection practice template in its order."""

    # Unknown until the editor chooses: the field is blank (""), which the page, the sheet and
    # the API show as "Not yet evaluated"; "none" says the team states there was no evaluation.
    class EvaluationType(models.TextChoices):
        NONE = "none", _("No evaluation")
        INTERNAL = "internal", _("Internal evaluation")
        EXTERNAL = "external", _("External evaluation")

    # 1. Name of the practice is the page title.
    # 2. Description: aim and working method.
    description = IndexedRichTextField(
        _("description"),
        features=RICH_TEXT,
        help_text=_(
            "The aim and working method of the practice. Make the link to preventing or "
            "countering radicalisation or violent extremism explicit."
        ),
    )
    # 3-4. Classification.
    key_themes = ParentalManyToManyField(
        "practices.KeyTheme",
        verbose_name=_("key themes"),
        blank=True,
        related_name="practices",
        limit_choices_to={"active": True},
    )
    target_audiences = ParentalManyToManyField(
        "practices.TargetAudience",
        verbose_name=_("target audiences"),
        blank=True,
        related_name="practices",
        limit_choices_to={"active": True},
    )
    # 5. Geographical scope.
    cities = ParentalManyToManyField(
        CityPage,
        verbose_name=_("cities"),
        blank=True,
        related_name="scoped_practices",
        help_text=_("Every city where the practice runs, not only the owning city."),
    )
    countries = CountryField(_("countries"), multiple=True, blank=True)
    regions = models.CharField(
        _("regions"), max_length=500, blank=True, help_text=_("Separate regions with commas.")
    )
    # 6. Start (and end) of the practice.
    start_year = models.PositiveSmallIntegerField(
        _("start year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    end_year = models.PositiveSmallIntegerField(
        _("end year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("Only if the practice is no longer active."),
    )
    # 7. Deliverables.
    deliverables = _rich_text(
        _("deliverables"), _("Handbooks, training modules, videos; add links below.")
    )
    # 8. Evidence and evaluation.
    evidence_and_evaluation = _rich_text(
        _("evidence and evaluation"),
        _("Qualitative and quantitative evidence, evaluation and feedback, peer review received."),
    )
    evaluation_type = models.CharField(
        _("evaluation"),
        max_length=10,
        choices=EvaluationType.choices,
        blank=True,
        default="",
        help_text=_("How the practice was evaluated. Leave it unchosen if you do not know yet."),
    )
    # 9. Sustainability and transferability.
    sustainability_and_transferability = _rich_text(
        _("sustainability and transferability"),
        _("Costs, and which elements transfer to another city and how."),
    )
    # 10. Presented and discussed in a network meeting: the `presented_at` inline.
    # 11. Linked to other EU initiatives or EU funding.
    eu_funding = _rich_text(
        _("linked to other EU initiatives or EU funding"),
        _("How the practice is funded; say explicitly whether it is (co-)funded by the EU."),
    )
    funding_programmes = ParentalManyToManyField(
        "practices.FundingProgramme",
        verbose_name=_("funding programmes"),
        blank=True,
        related_name="practices",
        limit_choices_to={"active": True},
    )
    # 12-14. Organisation.
    organisation_name = models.CharField(_("organisation"), max_length=255, blank=True)
    organisation_description = _rich_text(
        _("about the organisation"), _("What the organisation is, including its legal status.")
    )
    organisation_type = models.ForeignKey(
        "practices.OrganisationType",
        verbose_name=_("type of organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practices",
        limit_choices_to={"active": True},
    )
    country_of_origin = CountryField(
        _("country of origin"), help_text=_("The country in which the practice is based.")
    )
    # 15. Contact details (personal data: shown publicly only with consent).
    contact_name = models.CharField(_("contact person"), max_length=255, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("telephone"), max_length=60, blank=True)
    contact_website = models.URLField(_("website"), blank=True)
    contact_address = models.TextField(_("address"), blank=True)
    contact_consent = models.BooleanField(
        _("the contact person agrees to be shown publicly"),
        default=False,
        help_text=_("Without consent, contact details are shown to logged-in members only."),
    )
    # 16. Last update.
    last_update_year = models.PositiveSmallIntegerField(
        _("last update (year)"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    # 17. Peer reviewed.
    peer_reviewed = models.BooleanField(_("peer reviewed"), default=False)
    peer_review_date = models.DateField(_("peer review date"), null=True, blank=True)

    # Media: a picture or logo, and the complete description as a document.
    image = _image(
        _("image or logo"), _("A photo of the practice at work or its logo, shown on its page.")
    )
    image_alt = _alt_text()
    full_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("full practice document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The complete description of the practice (RAN's “Read the full "
            "practice”), usually a PDF. It is kept in your city's collection, and only "
            "people who may see this practice can download it."
        ),
    )

    # Curation: where it is listed and how it is found.
    networks = ParentalManyToManyField(
        NetworkPage, verbose_name=_("networks"), blank=True, related_name="practices"
    )
    tags = ClusterTaggableManager(through=TaggedPractice, blank=True, verbose_name=_("tags"))
    language = models.CharField(_("language"), max_length=7, choices=LANGUAGES, default="en")
    source_url = models.URLField(
        _("source URL"),
        max_length=500,
        blank=True,
        db_index=True,
        help_text=_("Where the practice was published first; the importer matches on it."),
    )
    import_checksum = models.CharField(max_length=64, blank=True, editable=False)
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("When a curator last checked that the entry is still accurate."),
    )
    possible_duplicate_of = models.ForeignKey(
        "practices.PracticePage",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Set by the importer when this practice's description closely matches another "
            "one's (the same practice listed by two sources). Clear it once checked; nothing "
            "is merged."
        ),
    )
    archived = models.BooleanField(
        _("archived"),
        default=False,
        help_text=_(
            "Archived practices leave search and listings; their page stays online with a "
            "banner saying it is archived."
        ),
    )
    archive_reason = models.TextField(
        _("reason for archiving"),
        blank=True,
        help_text=_(
            "Why network staff archived the practice; shown on its archived page and sent "
            "to the city's editors."
        ),
    )

    objects = PracticePageManager()

    parent_page_types = [
        "practices.CityPage",
        "practices.NetworkPage",
        "practices.UnfiledPracticesPage",
    ]
    subpage_types = []
    base_form_class = PracticePageForm

    content_panels = [
        MultiFieldPanel(
            # TitleFieldPanel keeps Wagtail's title-to-slug sync for curators, who see the slug.
            [
                TitleFieldPanel(
                    "title",
                    help_text=_(
                        "The practice's name as its team uses it, in the practice's own "
                        "language. Required. The page's web address is made from it when the "
                        "practice is first saved."
                    ),
                ),
                FieldPanel("description"),
            ],
            heading=_("Name and description"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("key_themes", widget=DescribedCheckboxSelectMultiple),
                FieldPanel("target_audiences", widget=DescribedCheckboxSelectMultiple),
            ],
            heading=_("Key themes and target audience"),
        ),
        MultiFieldPanel(
            [
                # Type-ahead instead of a 250-row ctrl-click list; a plain multi-select without JS.
                FieldPanel("cities", widget=TypeaheadSelectMultiple),
                FieldPanel("countries", widget=TypeaheadSelectMultiple),
                FieldPanel("regions"),
            ],
            heading=_("Geographical scope"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("start_year", widget=YearInput),
                        FieldPanel("end_year", widget=YearInput),
                    ]
                )
            ],
            heading=_("Start of the practice"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("deliverables"),
                InlinePanel("deliverable_links", label=_("Deliverable link")),
            ],
            heading=_("Deliverables"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("evidence_and_evaluation"),
                FieldPanel("evaluation_type", widget=forms.RadioSelect),
            ],
            heading=_("Evidence and evaluation"),
        ),
        MultiFieldPanel(
            [FieldPanel("sustainability_and_transferability")],
            heading=_("Sustainability and transferability"),
        ),
        InlinePanel(
            "presented_at",
            heading=_("Presented and discussed in a network meeting"),
            label=_("Meeting"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("eu_funding"),
                FieldPanel("funding_programmes", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Linked to other EU initiatives or EU funding"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("organisation_name"),
                FieldPanel("organisation_description"),
                # Five or so options: radio buttons, not a search pop-up.
                FieldPanel("organisation_type", widget=forms.RadioSelect),
                FieldPanel("country_of_origin"),
            ],
            heading=_("Organisation"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_name"),
                FieldRowPanel([FieldPanel("contact_email"), FieldPanel("contact_phone")]),
                FieldPanel("contact_website"),
                FieldPanel("contact_address"),
                FieldPanel("contact_consent"),
            ],
            heading=_("Contact details"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("last_update_year", widget=YearInput),
                FieldRowPanel([FieldPanel("peer_reviewed"), FieldPanel("peer_review_date")]),
            ],
            heading=_("Last update and peer review"),
        ),
        MultiFieldPanel(
            [FieldPanel("image"), FieldPanel("image_alt"), FieldPanel("full_document")],
            heading=_("Image and full practice document"),
        ),
    ]
    # Fields only curators set: Wagtail leaves a panel with a permission out of the form of
    # anyone without it, so a city editor's posted value for them is never even read.
    curation_panels = [
        FieldRowPanel(
            [
                FieldPanel("last_reviewed", permission=CURATE_PERMISSION),
                FieldPanel("archived", permission=CURATE_PERMISSION),
            ]
        ),
        FieldPanel("archive_reason", permission=CURATE_PERMISSION),
        FieldPanel("networks", widget=forms.CheckboxSelectMultiple, permission=CURATE_PERMISSION),
        FieldPanel("tags"),
        FieldPanel("language"),
        FieldPanel("source_url", permission=CURATE_PERMISSION),
        FieldPanel("possible_duplicate_of", permission=CURATE_PERMISSION),
    ]
    # Wagtail's Promote tab (slug, SEO title, search description, menus) is the curators': a
    # panel group's permission only hides it, so each field carries the permission too, which
    # takes it out of a city editor's form. Their practice's slug is made from the title on its
    # first save and then stays, so shared links keep working when the title is reworded.
    promote_panels = [
        MultiFieldPanel(
            [
                FieldPanel(name, permission=CURATE_PERMISSION)
                for name in ("slug", "seo_title", "search_description")
            ],
            heading=_("For search engines"),
        ),
        MultiFieldPanel(
            [FieldPanel("show_in_menus", permission=CURATE_PERMISSION)],
            heading=_("For site menus"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            # Not a tab: above the tabs, it lists every error of a refused save (panels.py).
            ErrorSummaryPanel(),
            ObjectList(content_panels, heading=_("Practice")),
            ObjectList(curation_panels, heading=_("Curation")),
            ObjectList(promote_panels, heading=_("Promote"), permission=CURATE_PERMISSION),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.SearchField("sustainability_and_transferability"),
        index.SearchField("organisation_name"),
        index.RelatedFields("key_themes", [index.SearchField("label")]),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("country_of_origin"),
    ]

    class Meta:
        verbose_name = _("practice")
        permissions = [
            (
                "curate_practicepage",
                "Can set a practice's curation fields (review, archive, networks, source)",
            )
        ]

    def clean(self):
        """Check what a single record can get wrong: years in order."""
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The end year is before the start year.")})
        check_alt_text(self, "image", "image_alt")

    @cached_property
    def owning_city(self):
        """The city this practice lives under, or None for a network-curated practice."""
        parent = self.get_parent().specific
        return parent if isinstance(parent, CityPage) else None

    @property
    def is_ongoing(self):
        """True when no end year is recorded or it is this year or later."""
        return self.end_year is None or self.end_year >= date.today().year

    @property
    def evidence_badge(self):
        """The evidence at a glance: how it was evaluated, and peer review
        ("External evaluation · Peer reviewed", "Not yet evaluated")."""
        evaluation = {
            self.EvaluationType.EXTERNAL: _("External evaluation"),
            self.EvaluationType.INTERNAL: _("Internal evaluation"),
        }.get(self.evaluation_type, _("Not yet evaluated"))
        if self.peer_reviewed:
            return f"{evaluation} · {_('Peer reviewed')}"
        return str(evaluation)

    @property
    def has_contact(self):
        """True when any contact detail is recorded."""
        return any(
            (self.contact_name, self.contact_email, self.contact_phone,
             self.contact_website, self.contact_address)
        )  # fmt: skip

    def contact_visible_to(self, user):
        """Contact details are public with consent; otherwise only members see them."""
        return contact_visible(self.contact_consent, user)

    # The page's sections in the RAN template's order, by their anchor (practice_page.html).
    SECTIONS = (
        ("description", _("Description")),
        ("key-themes", _("Key themes")),
        ("target-audience", _("Target audience")),
        ("geographical-scope", _("Geographical scope")),
        ("start", _("Start of the practice")),
        ("deliverables", _("Deliverables")),
        ("evidence-and-evaluation", _("Evidence and evaluation")),
        ("sustainability-and-transferability", _("Sustainability and transferability")),
        ("presented-and-discussed", _("Presented and discussed in a network meeting")),
        ("eu-funding", _("Linked to other EU initiatives or EU funding")),
        ("organisation", _("Organisation")),
        ("organisation-type", _("Type of organisation")),
        ("country-of-origin", _("Country of origin")),
        ("contact", _("Contact details")),
        ("last-update", _("Last update")),
        ("peer-reviewed", _("Peer reviewed")),
    )
    # A contents list helps once a page has this many sections to scroll through.
    CONTENTS_FROM = 8

    def stated_sections(self):
        """The anchors of the sections this practice fills in (the others are left off its page).

        The description, the evidence (our badge and what it means), the contact (the way to
        write to the team) and peer review (yes or no) always say something.
        """
        stated = {
            "key-themes": self.key_themes.all(),
            "target-audience": self.target_audiences.all(),
            "geographical-scope": (self.cities.all(), self.countries, self.regions),
            "start": self.start_year,
            "deliverables": (self.deliverables, self.deliverable_links.all()),
            "sustainability-and-transferability": self.sustainability_and_transferability,
            "presented-and-discussed": self.presented_at.all(),
            "eu-funding": (self.eu_funding, self.funding_programmes.all()),
            "organisation": (self.organisation_name, self.organisation_description),
            "organisation-type": self.organisation_type,
            "country-of-origin": self.country_of_origin,
            "last-update": self.last_update_year,
        }
        shown = []
        for anchor, _heading in self.SECTIONS:
            value = stated.get(anchor, True)
            parts = value if isinstance(value, tuple) else (value,)
            if any(bool(part) for part in parts):
                shown.append(anchor)
        return shown

    @cached_property
    def members_only(self):
        """True when a view restriction covers this practice (members and curators read it)."""
        return is_restricted(self)

    def get_context(self, request, *args, **kwargs):
        """Add whether this visitor may see the contact block, related practices, the cities
        that adapted it, and the sections to show (all of them to an editor's preview, so the
        editor sees what is still empty)."""
        context = super().get_context(request, *args, **kwargs)
        shown = (
            [anchor for anchor, _heading in self.SECTIONS]
            if getattr(request, "is_preview", False)
            else self.stated_sections()
        )
        context["sections"] = [(a, h) for a, h in self.SECTIONS if a in shown]
        context["shown"] = set(shown)
        context["show_contents"] = len(shown) >= self.CONTENTS_FROM
        context["show_contact"] = self.contact_visible_to(request.user)
        context["related"] = self.related_practices(request.user)
        context["adaptations"] = self.adaptations_for(request.user)
        return context

    @cached_property
    def public_adaptations(self):
        """The adaptation reports anyone may see (a sheet lists these to every reader)."""
        from django.contrib.auth.models import AnonymousUser

        return self.adaptations_for(AnonymousUser())

    def adaptations_for(self, user):
        """The adaptation reports of this practice `user` may see, with their cities, oldest
        city name first (a preview of an unsaved practice has none)."""
        from .adaptations import adaptations_visible_to  # that module imports this one

        if not self.pk:
            return []
        reports = list(adaptations_visible_to(user, original_id=self.pk))
        parents = {
            page.path: page
            for page in Page.objects.filter(path__in={r.path[: -Page.steplen] for r in reports})
        }
        for report in reports:
            report.adopting_city = parents.get(report.path[: -Page.steplen])
        return sorted(reports, key=lambda r: r.adopting_city.title if r.adopting_city else "")

    def related_practices(self, user, limit=4):
        """Practices `user` may see that share key themes or audiences, other cities first."""
        # .all(), not .values_list(): a preview or a revision is a page rebuilt by modelcluster,
        # whose relations are in-memory lists that know no queryset methods like values_list.
        theme_ids = [theme.pk for theme in self.key_themes.all()]
        audience_ids = [audience.pk for audience in self.target_audiences.all()]
        # Shared themes and audiences, counted from the link tables alone: counting them with
        # joins over every practice sharing one cost ~0.13 s a page view at 10k practices.
        themes = Counter(
            PracticePage.key_themes.through.objects.filter(keytheme_id__in=theme_ids).values_list(
                "practicepage_id", flat=True
            )
        )
        audiences = Counter(
            PracticePage.target_audiences.through.objects.filter(
                targetaudience_id__in=audience_ids
            ).values_list("practicepage_id", flat=True)
        )
        scores = {pk: (themes[pk], audiences[pk]) for pk in themes.keys() | audiences.keys()}
        scores.pop(self.pk, None)
        tiers = defaultdict(list)
        for pk, score in scores.items():
            tiers[score].append(pk)
        # Best tiers first; stop once enough practices from other cities are found, since
        # they come before every practice of this city whatever their score.
        owner = self.owning_city
        elsewhere, same_city = [], []
        visible = PracticePage.objects.visible_to(user)
        for score in sorted(tiers, reverse=True):
            for page in visible.filter(pk__in=tiers[score]).order_by("title", "pk"):
                in_city = owner is not None and page.path.startswith(owner.path)
                (same_city if in_city else elsewhere).append(page)
            if len(elsewhere) >= limit:
                break
        return (elsewhere + same_city)[:limit]

    @property
    def sheet_url(self):
        """Where the practice sheet PDF is downloaded (served by id, without page routing)."""
        # A page previewed before its first save has no id, and so no sheet yet.
        return reverse("sheets:practice", args=[self.pk]) if self.pk else ""

    @path("pdf/")
    def pdf_sheet(self, request):
        """The sheet's former address, kept for links already shared."""
        return redirect(self.sheet_url, permanent=True)

    @path("contact/")
    def contact(self, request):
        """Write to the team behind the practice (relayed by e-mail, practices/contact.py)."""
        from ..contact import contact_view  # the contact module needs these models

        return contact_view(self, request)

    @path("contact/sent/")
    def contact_sent(self, request):
        """Where the contact form sends the visitor once the message is queued."""
        from ..contact import contact_sent_view

        return contact_sent_view(self, request)

    # --- Curation: values for the curators' listing and its exports

    def owning_city_name(self):
        """The owning city's name, or "" for a network-curated practice."""
        return self.owning_city.title if self.owning_city else ""

    def country_codes(self):
        """The ISO codes of the countries in scope, comma-separated."""
        return ", ".join(country.code for country in self.countries)

    def network_names(self):
        """The short names of the networks that list the practice."""
        return ", ".join(network.short_name for network in self.networks.all())

    # One rule for the curation statuses, in one place: curation_status() says it of one page,
    # curation_status_q() of a queryset (the curators' filter); both read review_due_before().
    CURATION_STATUSES = {
        "draft": _("Draft"),
        "in review": _("In review"),
        "live": _("Live (reviewed)"),
        "never reviewed": _("Never reviewed"),
        "stale": _("Stale (review overdue)"),
        "archived": _("Archived"),
    }

    @staticmethod
    def review_due_before():
        """Practices last reviewed before this day are stale (PRACTICE_REVIEW_MAX_AGE_DAYS)."""
        return date.today() - timedelta(days=settings.PRACTICE_REVIEW_MAX_AGE_DAYS)

    @classmethod
    def curation_status_q(cls, status):
        """The filter matching exactly the pages whose curation_status() is `status`."""
        from django.db.models.functions import Cast
        from wagtail.models import WorkflowState

        in_review = models.Q(
            pk__in=WorkflowState.objects.filter(
                status=WorkflowState.STATUS_IN_PROGRESS,
                base_content_type__app_label="wagtailcore",
                base_content_type__model="page",
            ).values_list(Cast("object_id", models.IntegerField()), flat=True)
        )
        settled = models.Q(archived=False) & ~in_review
        published = settled & models.Q(live=True)
        return {
            "archived": models.Q(archived=True),
            "in review": models.Q(archived=False) & in_review,
            "draft": settled & models.Q(live=False),
            "never reviewed": published & models.Q(last_reviewed__isnull=True),
            "stale": published & models.Q(last_reviewed__lt=cls.review_due_before()),
            "live": published & models.Q(last_reviewed__gte=cls.review_due_before()),
        }[status]

    def curation_status(self):
        """Archived, in review, draft, never reviewed, stale or live, as a curator would say it."""
        if self.archived:
            return "archived"
        if self.workflow_in_progress:
            return "in review"
        if not self.live:
            return "draft"
        if self.last_reviewed is None:
            return "never reviewed"
        if self.is_stale:
            return "stale"
        return "live"

    def curation_status_label(self):
        """The curation status in words, for the curators' listing."""
        return self.CURATION_STATUSES[self.curation_status()]

    @property
    def is_stale(self):
        """True when the last review is older than the allowed age ("never reviewed" is not)."""
        return self.last_reviewed is not None and self.last_reviewed < self.review_due_before()

    def get_sitemap_urls(self, request=None):
        """Archived practices leave the sitemap (their URL still answers, with a banner)."""
        return [] if self.archived else super().get_sitemap_urls(request)

    def word_limit_warnings(self):
        """Soft word-limit overruns as readable sentences (editors see them; nothing blocks)."""
        warnings = []
        for name, limit in settings.PRACTICE_WORD_LIMITS.items():
            words = word_count(getattr(self, name))
            if words > limit:
                label = self._meta.get_field(name).verbose_name
                warnings.append(
                    _("%(field)s has %(words)d words; the template asks for at most %(limit)d.")
                    % {"field": str(label).capitalize(), "words": words, "limit": limit}
                )
        return warnings


class PracticePresentation(Orderable):
    """RAN field 10: a network meeting where the practice was presented and discussed."""

    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="presented_at")
    name = models.CharField(_("working group or event"), max_length=255)
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    event = models.ForeignKey(
        EventPage,
        verbose_name=_("event page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presentations",
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("place")]),
        FieldPanel("subject"),
        FieldPanel("event"),
    ]


class PracticeDeliverableLink(Orderable):
    """RAN field 7: a link to or a document of a deliverable (handbook, module, video)."""

    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="deliverable_links")
    title = models.CharField(_("title"), max_length=255)
    url = models.URLField(_("link"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("document")]

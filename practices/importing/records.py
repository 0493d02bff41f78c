"""Validation of interchange records into clean values, collecting every problem found.

Nothing here writes to the database: a file is checked completely before anything changes.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.conf.global_settings import LANGUAGES
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django_countries import countries

from ..models import PracticePage, PracticePresentation, PracticeTag, VocabularyTerm
from ..models.pages import FIRST_YEAR, latest_year
from ..richtext import to_rich_text

FIELDS = (
    "page_id", "title", "description", "key_themes", "target_audiences", "cities", "countries",
    "regions", "networks", "start_year", "end_year", "deliverables", "evidence_and_evaluation",
    "evaluation_type", "peer_reviewed", "sustainability_and_transferability", "presented_at",
    "eu_funding", "funding_programmes", "organisation", "country_of_origin", "contact",
    "last_update_year", "tags", "language", "source_url",
)  # fmt: skip
RICH_TEXT_FIELDS = (
    "description", "deliverables", "evidence_and_evaluation",
    "sustainability_and_transferability", "eu_funding",
)  # fmt: skip
EVALUATION_TYPES = ("none", "internal", "external")
LANGUAGE_CODES = {code for code, _name in LANGUAGES}
# Characters no text of a practice may hold: NUL and the other C0 controls (tab, line feed and
# carriage return are fine). PostgreSQL refuses NUL outright; SQLite would store it silently.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def limit(model, name):
    """The most characters `model`'s field `name` holds: the model is the one rule."""
    return model._meta.get_field(name).max_length


# Interchange values and the model fields whose limits they must keep.
TERM_LENGTH = limit(VocabularyTerm, "label")
TAG_LENGTH = limit(PracticeTag, "name")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: the field (dotted path) and a full-sentence message."""

    field: str
    message: str


@dataclass
class CityRef:
    """A city named by a record: its name and ISO country code (may be empty)."""

    name: str
    country: str


@dataclass
class Presentation:
    """RAN field 10: a meeting where the practice was presented."""

    name: str
    date: datetime.date | None
    place: str
    subject: str


@dataclass
class CleanRecord:
    """A validated record, with vocabulary values still as labels (resolved by the importer)."""

    number: int
    title: str
    # This hub's id of the practice, as an export writes it: the record updates that page.
    page_id: int | None = None
    values: dict = field(default_factory=dict)
    key_themes: list[str] = field(default_factory=list)
    target_audiences: list[str] = field(default_factory=list)
    funding_programmes: list[str] = field(default_factory=list)
    organisation_type: str = ""
    cities: list[CityRef] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    presented_at: list[Presentation] = field(default_factory=list)


def country_code(value):
    """The ISO 3166-1 alpha-2 code for a code or English country name, or None if unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if value.upper() in countries:
        return value.upper()
    return countries.by_name(value) or None


class RecordValidator:
    """Checks one raw record and returns a CleanRecord plus every problem found in it."""

    def __init__(self, number, raw):
        self.number = number
        self.raw = raw
        self.problems: list[Problem] = []

    def error(self, field_name, message):
        """Record a problem with `field_name`."""
        self.problems.append(Problem(field_name, message))

    # --- typed getters: each returns a clean value or records a problem and returns a default

    def text(self, name, *, required=False, max_length=None, source=None):
        """A string field; null and missing mean empty."""
        source = self.raw if source is None else source
        return self.clean_text(
            name, source.get(name.rsplit(".", 1)[-1]), required=required, max_length=max_length
        )

    def clean_text(self, name, value, *, required=False, max_length=None):
        """`value` as clean text: no control characters, at most `max_length` characters
        (default PRACTICE_IMPORT_MAX_TEXT_LENGTH); "" with a problem recorded otherwise."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(name, f"must be text, not {type(value).__name__}.")
            return ""
        value = value.strip()
        control = CONTROL_CHARACTERS.search(value)
        if control:
            self.error(
                name,
                f"holds a control character ({control.group()!r}) at position "
                f"{control.start() + 1}; remove it.",
            )
            return ""
        if required and not value:
            self.error(name, "is required.")
        max_length = max_length or settings.PRACTICE_IMPORT_MAX_TEXT_LENGTH
        if len(value) > max_length:
            self.error(name, f"is {len(value)} characters long; the maximum is {max_length}.")
            return ""
        return value

    def boolean(self, name, source=None):
        """A true/false field; null and missing mean false."""
        source = self.raw if source is None else source
        value = source.get(name.rsplit(".", 1)[-1])
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(name, f"must be true or false, not {value!r}.")
            return False
        return value

    def page_id(self):
        """The optional page id of an export's row: a whole number, or None."""
        value = self.raw.get("page_id")
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error("page_id", f"must be a page id such as 42, not {value!r}.")
            return None
        return value

    def year(self, name):
        """A year within the editor's bounds (FIRST_YEAR to next year), or None."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, f"must be a year such as 2021, not {value!r}.")
            return None
        # The editor's bounds (models.pages.validate_year), so an import never holds a year the
        # editor would refuse on the practice's next save.
        last = latest_year()
        if not FIRST_YEAR <= value <= last:
            self.error(name, f"{value} is not a year from {FIRST_YEAR} to {last}.")
            return None
        return value

    def string_list(self, name, max_length=None):
        """A list of non-empty strings of at most `max_length` characters (duplicates
        removed, order kept)."""
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(name, f"must be a list, not {type(value).__name__}.")
            return []
        items = []
        for position, item in enumerate(value, start=1):
            path = f"{name}[{position}]"
            if not isinstance(item, str) or not item.strip():
                self.error(path, f"must be non-empty text, not {item!r}.")
                continue
            item = self.clean_text(path, item, max_length=max_length)
            if item and item not in items:
                items.append(item)
        return items

    def obj(self, name):
        """A nested JSON object (null and missing mean empty)."""
        value = self.raw.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(name, f"must be an object, not {type(value).__name__}.")
            return {}
        return value

    def url(self, name, max_length, source=None):
        """A web address of at most `max_length` characters; a bare domain such as
        www.example.org gets https:// in front."""
        value = self.text(name, max_length=max_length, source=source)
        if not value:
            return ""
        if "://" not in value:
            value = f"https://{value}"
        if len(value) > max_length:
            self.error(name, f"is {len(value)} characters long; the maximum is {max_length}.")
            return ""
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            self.error(name, f"{value!r} is not a valid web address.")
            return ""
        return value

    def country(self, name, value):
        """An ISO code from a code or English name; records a problem for unknown countries."""
        code = country_code(value)
        if code is None:
            self.error(name, f"{value!r} is not an ISO 3166 country code or English country name.")
        return code or ""

    # --- the record

    def validate(self):
        """Check the whole record; return (CleanRecord or None, problems)."""
        if not isinstance(self.raw, dict):
            self.error("record", f"must be a JSON object, not {type(self.raw).__name__}.")
            return None, self.problems
        for unknown in sorted(set(self.raw) - set(FIELDS)):
            self.error(unknown, "is not a field of the interchange format (a typo?).")

        record = CleanRecord(
            number=self.number,
            title=self.text("title", required=True, max_length=limit(PracticePage, "title")),
        )
        record.page_id = self.page_id()
        values = record.values
        for name in RICH_TEXT_FIELDS:
            values[name] = to_rich_text(self.text(name))
        record.key_themes = self.string_list("key_themes", TERM_LENGTH)
        record.target_audiences = self.string_list("target_audiences", TERM_LENGTH)
        record.funding_programmes = self.string_list("funding_programmes", TERM_LENGTH)
        record.networks = self.string_list("networks", limit(PracticePage, "title"))
        # Longer tags used to be cut to their first 100 characters, which merged two tags
        # that begin alike: now they are refused.
        record.tags = self.string_list("tags", TAG_LENGTH)

        values["countries"] = [
            self.country(f"countries[{i}]", c)
            for i, c in enumerate(self.string_list("countries"), start=1)
        ]
        values["regions"] = ", ".join(self.string_list("regions"))
        if len(values["regions"]) > limit(PracticePage, "regions"):
            self.error(
                "regions",
                f"together are {len(values['regions'])} characters long; the maximum is "
                f"{limit(PracticePage, 'regions')}.",
            )
        values["start_year"] = self.year("start_year")
        values["end_year"] = self.year("end_year")
        if (
            values["start_year"]
            and values["end_year"]
            and values["end_year"] < values["start_year"]
        ):
            self.error(
                "end_year", f"{values['end_year']} is before the start year {values['start_year']}."
            )
        values["last_update_year"] = self.year("last_update_year")

        # An empty evaluation stays unknown (""), as in the editor: "none" is a statement that
        # the practice was not evaluated, which an empty cell does not make.
        evaluation = self.raw.get("evaluation_type")
        if evaluation is None or (isinstance(evaluation, str) and not evaluation.strip()):
            evaluation = ""
        elif not isinstance(evaluation, str) or evaluation.strip() not in EVALUATION_TYPES:
            self.error(
                "evaluation_type",
                f"must be one of {', '.join(EVALUATION_TYPES)} or empty (not known yet), "
                f"not {evaluation!r}.",
            )
            evaluation = ""
        else:
            evaluation = evaluation.strip()
        values["evaluation_type"] = evaluation
        values["peer_reviewed"] = self.boolean("peer_reviewed")

        country_of_origin = self.raw.get("country_of_origin")
        values["country_of_origin"] = (
            self.country("country_of_origin", country_of_origin) if country_of_origin else ""
        )
        language = self.raw.get("language") or "en"
        if not isinstance(language, str):
            self.error("language", f"must be one language code such as en, not {language!r}.")
            language = "en"
        elif language not in LANGUAGE_CODES:
            self.error("language", f"{language!r} is not a language code such as en, fr or nl.")
            language = "en"
        values["language"] = language
        values["source_url"] = self.url("source_url", limit(PracticePage, "source_url"))

        self._cities(record)
        self._organisation(record)
        self._contact(record)
        self._presented_at(record)
        return (record if not self.problems else None), self.problems

    def _cities(self, record):
        value = self.raw.get("cities")
        if value is None:
            return
        if not isinstance(value, list):
            self.error("cities", f"must be a list, not {type(value).__name__}.")
            return
        for position, item in enumerate(value, start=1):
            path = f"cities[{position}]"
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict):
                self.error(path, "must be an object with a name and a country.")
                continue
            name = self.text(
                f"{path}.name", required=True, max_length=limit(PracticePage, "title"), source=item
            )
            code = self.country(f"{path}.country", item["country"]) if item.get("country") else ""
            if name and not any(c.name.lower() == name.lower() for c in record.cities):
                record.cities.append(CityRef(name=name, country=code))

    def _organisation(self, record):
        organisation = self.obj("organisation")
        for key in set(organisation) - {"name", "description", "type"}:
            self.error(f"organisation.{key}", "is not a field of the organisation.")
        record.values["organisation_name"] = self.text(
            "organisation.name",
            max_length=limit(PracticePage, "organisation_name"),
            source=organisation,
        )
        record.values["organisation_description"] = to_rich_text(
            self.text("organisation.description", source=organisation)
        )
        record.organisation_type = self.text(
            "organisation.type", max_length=TERM_LENGTH, source=organisation
        )

    def _contact(self, record):
        contact = self.obj("contact")
        allowed = {"name", "email", "phone", "website", "address", "public"}
        for key in set(contact) - allowed:
            self.error(f"contact.{key}", "is not a field of the contact details.")
        values = record.values
        values["contact_name"] = self.text(
            "contact.name", max_length=limit(PracticePage, "contact_name"), source=contact
        )
        email = self.text(
            "contact.email", max_length=limit(PracticePage, "contact_email"), source=contact
        )
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                self.error("contact.email", f"{email!r} is not a valid email address.")
                email = ""
        values["contact_email"] = email
        values["contact_phone"] = self.text(
            "contact.phone", max_length=limit(PracticePage, "contact_phone"), source=contact
        )
        values["contact_website"] = self.url(
            "contact.website", limit(PracticePage, "contact_website"), source=contact
        )
        values["contact_address"] = self.text("contact.address", source=contact)
        values["contact_consent"] = self.boolean("contact.public", source=contact)

    def _presented_at(self, record):
        value = self.raw.get("presented_at")
        if value is None:
            return
        if not isinstance(value, list):
            self.error("presented_at", f"must be a list, not {type(value).__name__}.")
            return
        for position, item in enumerate(value, start=1):
            path = f"presented_at[{position}]"
            if not isinstance(item, dict):
                self.error(path, "must be an object with name, date, place and subject.")
                continue
            name = self.text(
                f"{path}.name",
                required=True,
                max_length=limit(PracticePresentation, "name"),
                source=item,
            )
            raw_date = item.get("date")
            meeting_date = None
            if raw_date:
                try:
                    meeting_date = datetime.date.fromisoformat(str(raw_date))
                except ValueError:
                    self.error(
                        f"{path}.date", f"{raw_date!r} is not a date in the form 2021-05-27."
                    )
            record.presented_at.append(
                Presentation(
                    name=name,
                    date=meeting_date,
                    place=self.text(
                        f"{path}.place",
                        max_length=limit(PracticePresentation, "place"),
                        source=item,
                    ),
                    subject=self.text(
                        f"{path}.subject",
                        max_length=limit(PracticePresentation, "subject"),
                        source=item,
                    ),
                )
            )

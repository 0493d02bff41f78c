"""The practice importer: a file is validated completely, then written in one transaction.

Every problem is reported as ``file: record N ("title"): field: message`` and a file with
any problem changes nothing. Re-importing a file updates pages in place: a record matches
an existing practice by ``source_url`` when it has one, otherwise by title and owning city.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from tqdm import tqdm

from ..interchange import practice_record
from ..models import (
    CityIndexPage,
    CityPage,
    EventPage,
    FundingProgramme,
    KeyTheme,
    NetworkIndexPage,
    NetworkPage,
    OrganisationType,
    PracticePage,
    PracticePresentation,
    TargetAudience,
    UnfiledPracticesPage,
)
from ..roles import unfiled_practices_page
from ..rules import publishing_problems
from .duplicates import DuplicateFinder
from .records import CityRef, CleanRecord, Problem, RecordValidator
from .spreadsheet import SPREADSHEET_SUFFIXES, SpreadsheetError, read_rows, row_to_record

VOCABULARIES = {
    "key_themes": (KeyTheme, "key theme"),
    "target_audiences": (TargetAudience, "target audience"),
    "funding_programmes": (FundingProgramme, "funding programme"),
    "organisation.type": (OrganisationType, "organisation type"),
}


class ImportFailed(Exception):
    """A file could not be imported; `messages` lists every problem, one line each.

    `report`, when the file could be read, says record by record what was wrong and what the
    other records would have done (an ImportReport; nothing was written)."""

    def __init__(self, messages, report=None):
        super().__init__("\n".join(messages))
        self.messages = messages
        self.report = report


# What became of one record.
CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"


@dataclass
class RecordOutcome:
    """What an import did (or, for a dry run or a failed file, would do) with one record."""

    number: int
    title: str
    outcome: str  # CREATED, UPDATED, UNCHANGED or ERROR
    reasons: list[str] = field(default_factory=list)  # why it is a draft needing curation
    problems: list[Problem] = field(default_factory=list)  # why it cannot be imported
    duplicate: tuple[str, int] | None = None  # (title, page id) of a possible duplicate
    page_id: int | None = None  # the practice written (None in a dry run)

    def as_dict(self):
        """The outcome as JSON-ready data (kept with an admin upload's report)."""
        return {
            "number": self.number,
            "title": self.title,
            "outcome": self.outcome,
            "reasons": self.reasons,
            "problems": [{"field": p.field, "message": p.message} for p in self.problems],
            "duplicate": (
                {"title": self.duplicate[0], "page_id": self.duplicate[1]}
                if self.duplicate
                else None
            ),
            "page_id": self.page_id,
        }


@dataclass
class ImportReport:
    """What an import did (or would do), record by record, and what it created around them."""

    path: str
    unit: str = "record"  # what a number counts: a record of a JSON file, a spreadsheet row
    records: list[RecordOutcome] = field(default_factory=list)
    cities_created: list[str] = field(default_factory=list)
    networks_created: list[str] = field(default_factory=list)
    terms_added: list[str] = field(default_factory=list)
    dry_run: bool = False

    def _titles(self, outcome):
        return [r.title for r in self.records if r.outcome == outcome]

    @property
    def created(self):
        """Titles of the records created as new practices."""
        return self._titles(CREATED)

    @property
    def updated(self):
        """Titles of the records that updated an existing practice."""
        return self._titles(UPDATED)

    @property
    def unchanged(self):
        """Titles of the records identical to their last import (nothing written)."""
        return self._titles(UNCHANGED)

    @property
    def errors(self):
        """The records that cannot be imported, with their problems."""
        return [r for r in self.records if r.outcome == ERROR]

    @property
    def needs_curation(self):
        """(title, reasons) of the records saved as drafts."""
        return [(r.title, r.reasons) for r in self.records if r.reasons and r.outcome != ERROR]

    @property
    def possible_duplicates(self):
        """(title, the title and page id of the practice it may duplicate)."""
        return [(r.title, *r.duplicate) for r in self.records if r.duplicate]

    def as_dict(self):
        """The report as JSON-ready data (kept with an admin upload)."""
        counts = dict.fromkeys((CREATED, UPDATED, UNCHANGED, ERROR), 0)
        for record in self.records:
            counts[record.outcome] += 1
        counts["drafts"] = len(self.needs_curation)
        return {
            "file": self.path,
            "unit": self.unit,
            "dry_run": self.dry_run,
            "counts": counts,
            "records": [r.as_dict() for r in sorted(self.records, key=lambda r: r.number)],
            "cities_created": self.cities_created,
            "networks_created": self.networks_created,
            "terms_added": self.terms_added,
        }


@dataclass
class _Plan:
    """A validated record with everything it refers to resolved (nothing written yet)."""

    record: CleanRecord
    checksum: str
    parent: object = None  # an existing CityPage or NetworkPage, or a CityRef to create
    existing: PracticePage | None = None
    terms: dict = field(default_factory=dict)  # vocabulary key -> list of terms or labels
    networks: list = field(default_factory=list)
    curation: list[str] = field(default_factory=list)
    duplicate: object = None  # a duplicates.Candidate


@dataclass(frozen=True)
class NetworkRef:
    """A network the hub does not have yet, to be created as a draft (--add-missing-terms)."""

    name: str


# The parent of a record with neither an owning city nor a network: the Unfiled practices
# page (practices.roles.unfiled_practices_page), created when first needed.
UNFILED = "unfiled"
NO_HOME = "no owning city or network"


class DryRun(Exception):
    """Raised inside the import's transaction to roll it back (--dry-run)."""


def _checksum(raw, drafts):
    """A stable fingerprint of a raw record, so unchanged re-imports write nothing."""
    payload = json.dumps({"record": raw, "drafts": drafts}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _unique_slug(parent, title):
    """A slug for `title` that no child of `parent` uses yet."""
    base = slugify(title)[:200] or "page"
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class PracticeImporter:
    """Imports interchange files; see the module docstring for the rules."""

    def __init__(
        self, *, add_missing_terms=False, drafts=False, default_network=None, strict=False,
        dry_run=False, user=None, progress=True, progress_file=None, on_progress=None,
    ):  # fmt: skip
        self.add_missing_terms = add_missing_terms
        self.drafts = drafts
        self.default_network = default_network
        self.strict = strict
        self.dry_run = dry_run
        self.user = user
        self.progress = progress
        self.progress_file = progress_file
        # Called as on_progress(stage, done, total), stage "checking" or "writing": the admin
        # upload's task shows it on the page (practices/imports.py).
        self.on_progress = on_progress or (lambda stage, done, total: None)

    # --- reading and validating

    def import_file(self, path, name=None):
        """Validate and import one file; raise ImportFailed listing every problem.

        `name` is what messages call the file (an upload's own name rather than the
        temporary file it was saved to); it defaults to the path."""
        path = str(path)
        name = name or path
        numbered, self._unit = self._read(path, name)
        plans, errors = self._plan(name, numbered, self._unit)
        if errors:
            raise ImportFailed(
                [line for outcome in errors for line in self._lines(name, outcome)],
                self._failure_report(name, plans, errors),
            )
        report = ImportReport(path=name, unit=self._unit, dry_run=self.dry_run)
        try:
            with transaction.atomic():
                self._write(name, plans, report)
                if self.dry_run:
                    # Everything was written and checked as for real; none of it stays.
                    raise DryRun
        except DryRun:
            pass
        return report

    def _read(self, path, name):
        limit = settings.PRACTICE_IMPORT_MAX_FILE_MB
        try:
            size = Path(path).stat().st_size
        except FileNotFoundError:
            raise ImportFailed([f"{name}: the file does not exist."]) from None
        except OSError as exc:
            raise ImportFailed([f"{name}: cannot be read ({exc})."]) from None
        if size > limit * 1_000_000:
            raise ImportFailed(
                [
                    f"{name}: is {size / 1_000_000:.1f} MB; the most one import takes is "
                    f"{limit} MB (PRACTICE_IMPORT_MAX_FILE_MB). Split it into several files."
                ]
            )
        if name.lower().endswith(SPREADSHEET_SUFFIXES):
            try:
                rows = read_rows(path)
            except SpreadsheetError as exc:
                raise ImportFailed([f"{name}: {exc}"]) from None
            return [(number, row_to_record(row)) for number, row in rows], "row"
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ImportFailed([f"{name}: the file does not exist."]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportFailed([f"{name}: cannot be read as UTF-8 text ({exc})."]) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailed(
                [f"{name}: is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."]
            ) from None
        except RecursionError:
            raise ImportFailed(
                [f"{name}: is nested too deeply to be a collection of practices."]
            ) from None
        if isinstance(data, dict):
            data = [data]  # A single practice object is accepted as a one-record file.
        if not isinstance(data, list):
            raise ImportFailed([f"{name}: must hold a JSON list of practice objects."])
        if not data:
            raise ImportFailed([f"{name}: holds no records."])
        return list(enumerate(data, start=1)), "record"

    def _lines(self, name, outcome):
        """The command's lines for a record that cannot be imported, one per problem."""
        where = f"{name}: {self._unit} {outcome.number}"
        if outcome.title:
            where += f' ("{outcome.title}")'
        return [f"{where}: {p.field}: {p.message}" for p in outcome.problems]

    def _failure_report(self, name, plans, errors):
        """What a file that cannot be imported holds, record by record: its errors, and what
        each other record would have become (worked out from its plan; nothing written)."""
        report = ImportReport(path=name, unit=self._unit, dry_run=self.dry_run)
        failed = {outcome.number for outcome in errors}
        for plan in plans:
            if plan.record.number in failed:
                continue
            existing = plan.existing
            if existing is None:
                outcome = CREATED
            elif existing.import_checksum == plan.checksum:
                outcome = UNCHANGED
            else:
                outcome = UPDATED
            report.records.append(self._outcome(plan, outcome, existing))
        report.records.extend(errors)
        report.records.sort(key=lambda record: record.number)
        return report

    def _outcome(self, plan, outcome, page=None):
        """The RecordOutcome of a planned record (with the practice it wrote or would update;
        a dry run's new pages are rolled back, so none for those)."""
        duplicate = plan.duplicate
        if page is not None and self.dry_run and outcome == CREATED:
            page = None
        return RecordOutcome(
            number=plan.record.number,
            title=plan.record.title,
            outcome=outcome,
            reasons=list(plan.curation) if outcome != UNCHANGED else [],
            # An unchanged record was flagged when it was written; the flag stays on the page.
            duplicate=(
                (duplicate.title, duplicate.page_id) if duplicate and outcome != UNCHANGED else None
            ),
            page_id=page.pk if page is not None else None,
        )

    def _plan(self, path, numbered, unit="record"):
        """Validate every (number, raw record) and resolve what it refers to; return (plans,
        the RecordOutcomes of the records that cannot be imported). `unit` names what a
        number counts: a record of a JSON file, a row of a spreadsheet."""
        errors, plans, seen = [], [], {}
        self._cache = _Lookups()
        self._duplicates = DuplicateFinder.of_practices(PracticePage.objects.all())
        for done, (number, raw) in enumerate(numbered):
            self.on_progress("checking", done, len(numbered))
            title = raw.get("title") if isinstance(raw, dict) else None
            title = "" if title in (None, "") else str(title)
            record, problems = RecordValidator(number, raw).validate()
            if record is not None:
                plan = _Plan(record=record, checksum=_checksum(raw, self.drafts))
                problems = self._resolve(plan)
                if not problems:
                    key = self._match_key(plan)
                    if key in seen:
                        problems = [
                            _problem("title", f"duplicates {unit} {seen[key]} of this file.")
                        ]
                    else:
                        seen[key] = number
                        plans.append(plan)
            if problems:
                errors.append(RecordOutcome(number, title, ERROR, problems=problems))
        self.on_progress("checking", len(numbered), len(numbered))
        return plans, errors

    def _resolve(self, plan):
        """Look up vocabulary terms, networks, the parent page and an existing practice."""
        record, problems = plan.record, []
        for key, (model, noun) in VOCABULARIES.items():
            labels = (
                [record.organisation_type]
                if key == "organisation.type"
                else getattr(record, key.split(".")[0])
            )
            resolved = []
            for label in filter(None, labels):
                term = self._cache.term(model, label)
                if term is None and not self.add_missing_terms:
                    problems.append(
                        _problem(
                            key,
                            f'unknown {noun} "{label}". Add it to the vocabulary first, '
                            "or import with --add-missing-terms.",
                        )
                    )
                resolved.append(term or label)
            plan.terms[key] = resolved

        for name in record.networks:
            network = self._cache.network(name)
            if network is None and self.add_missing_terms:
                network = NetworkRef(name.strip())
            if network is None:
                problems.append(
                    _problem(
                        "networks",
                        f'unknown network "{name}". Create its page first, or import with '
                        "--add-missing-terms (it is then created as a draft).",
                    )
                )
            else:
                plan.networks.append(network)

        if record.cities:
            owner = record.cities[0]
            city = self._cache.city(owner)
            if city is None and not owner.country:
                problems.append(
                    _problem(
                        "cities[1].country", f'is needed to create the new city "{owner.name}".'
                    )
                )
            plan.parent = city or owner
            for position, ref in enumerate(record.cities[1:], start=2):
                if self._cache.city(ref) is None and not ref.country:
                    problems.append(
                        _problem(
                            f"cities[{position}].country",
                            f'is needed to create the new city "{ref.name}".',
                        )
                    )
        elif plan.networks:
            plan.parent = plan.networks[0]
        elif self.default_network:
            plan.parent = self._cache.network(self.default_network)
            if plan.parent is None:
                problems.append(
                    _problem(
                        "networks", f'the default network "{self.default_network}" does not exist.'
                    )
                )
        elif self.strict:
            problems.append(
                _problem(
                    "cities",
                    "a record needs an owning city or a network to be filed under "
                    "(import with --default-network, or without --strict to file it under "
                    "Unfiled practices).",
                )
            )
        else:
            plan.parent = UNFILED
            plan.curation.append(NO_HOME)
        if problems:
            return problems

        plan.existing = self._find_existing(plan)
        plan.duplicate = self._duplicates.duplicate_of(
            record.title,
            record.values["description"],
            exclude=plan.existing.pk if plan.existing else None,
        )
        if record.page_id and plan.existing is None:
            return [
                _problem(
                    "page_id",
                    f"no practice has the page id {record.page_id} here (an id from another "
                    "hub's export?); leave the cell empty to create the practice.",
                )
            ]
        if self.drafts:
            plan.curation.append("imported with --drafts")
        plan.curation.extend(
            message
            for _field, message in publishing_problems(
                description=record.values["description"],
                key_themes=plan.terms["key_themes"],
                target_audiences=plan.terms["target_audiences"],
                country_of_origin=record.values["country_of_origin"],
            )
        )
        return []

    def _find_existing(self, plan):
        """The practice a record updates: the one its page id names (an export's), else the
        same source URL, else same title and owner, else the practice this very record was
        imported as (a curator may have moved it since, from Unfiled practices to its city,
        say)."""
        if plan.record.page_id:
            return PracticePage.objects.filter(pk=plan.record.page_id).first()
        source_url = plan.record.values["source_url"]
        if source_url:
            return PracticePage.objects.filter(source_url=source_url).first()
        found = None
        parent = plan.parent
        if parent == UNFILED:
            parent = UnfiledPracticesPage.objects.first()
        if parent is not None and not isinstance(parent, CityRef | NetworkRef):
            title = plan.record.title
            found = (
                PracticePage.objects.child_of(parent)
                .filter(Q(title__iexact=title) | Q(draft_title__iexact=title))
                .first()
            )
        return found or PracticePage.objects.filter(import_checksum=plan.checksum).first()

    def _match_key(self, plan):
        if plan.record.page_id:
            return ("page_id", plan.record.page_id)
        if plan.record.values["source_url"]:
            return ("url", plan.record.values["source_url"])
        parent = plan.parent
        if parent == UNFILED:
            owner = ("unfiled",)
        elif isinstance(parent, CityRef | NetworkRef):
            owner = ("new", type(parent).__name__, parent.name.lower())
        else:
            owner = ("page", parent.pk)
        return ("title", plan.record.title.lower(), owner)

    # --- writing (inside one transaction)

    def _write(self, path, plans, report):
        bar = tqdm(
            plans,
            desc=f"Importing {Path(path).name}",
            unit="practice",
            file=self.progress_file,
            disable=not self.progress or len(plans) < settings.PRACTICE_IMPORT_PROGRESS_THRESHOLD,
        )
        for done, plan in enumerate(bar):
            self.on_progress("writing", done, len(plans))
            try:
                self._write_one(plan, report)
            except ValidationError as exc:
                record = plan.record
                error = RecordOutcome(
                    record.number,
                    record.title,
                    ERROR,
                    problems=[
                        Problem(name, " ".join(errors)) for name, errors in exc.message_dict.items()
                    ],
                )
                raise ImportFailed(
                    self._lines(path, error), self._failure_report(path, plans, [error])
                ) from None
        self.on_progress("writing", len(plans), len(plans))

    def _write_one(self, plan, report):
        record = plan.record
        networks = [self._network(ref, report) for ref in plan.networks]
        parent = plan.parent
        if isinstance(parent, CityRef):
            parent = self._create_city(parent, report)
        elif isinstance(parent, NetworkRef):
            parent = self._network(parent, report)
        elif parent == UNFILED:
            parent = self._cache.unfiled()
        cities = [parent if isinstance(parent, CityPage) else None] if record.cities else []
        cities = [c for c in cities if c] + [
            self._cache.city(ref) or self._create_city(ref, report) for ref in record.cities[1:]
        ]
        terms = {
            key: [self._term(key, t, plan, report) for t in values]
            for key, values in plan.terms.items()
        }

        existing = plan.existing
        if existing and existing.import_checksum == plan.checksum:
            report.records.append(self._outcome(plan, UNCHANGED, existing))
            return
        if existing:
            page = existing.specific.get_latest_revision_as_object()
            before = _comparable(practice_record(page))
        else:
            page = PracticePage(live=False)

        page.title = record.title
        page.draft_title = record.title
        for name, value in record.values.items():
            setattr(page, name, value)
        page.key_themes.set(terms["key_themes"])
        page.target_audiences.set(terms["target_audiences"])
        page.funding_programmes.set(terms["funding_programmes"])
        page.organisation_type = (terms["organisation.type"] or [None])[0]
        page.cities.set(cities)
        page.networks.set(networks)
        page.tags.set(record.tags)
        page.presented_at = [
            PracticePresentation(
                name=p.name, date=p.date, place=p.place, subject=p.subject, event=self._event(p)
            )
            for p in record.presented_at
        ]
        page.import_checksum = plan.checksum
        if plan.duplicate is not None:
            page.possible_duplicate_of_id = plan.duplicate.page_id

        publish = not plan.curation
        # A record that says what the practice already says, in other words (an export
        # imported back, say), writes no revision; next time its checksum matches.
        live = existing and existing.live and not existing.has_unpublished_changes
        if existing and (live or not publish) and _comparable(practice_record(page)) == before:
            PracticePage.objects.filter(pk=existing.pk).update(import_checksum=plan.checksum)
            report.records.append(self._outcome(plan, UNCHANGED, existing))
            return
        if existing is None:
            page.slug = _unique_slug(parent, record.title)
            parent.add_child(instance=page)
        revision = page.save_revision(user=self.user, log_action=True, clean=publish)
        if publish:
            revision.publish(user=self.user)
        report.records.append(self._outcome(plan, UPDATED if existing else CREATED, page))

    def _create_city(self, ref, report):
        """Create and publish a city page (a record named a city the hub does not have yet)."""
        city = self._cache.city(ref)
        if city is not None:
            return city
        index = CityIndexPage.objects.first()
        city = CityPage(title=ref.name, country=ref.country, live=False)
        city.slug = _unique_slug(index, ref.name)
        index.add_child(instance=city)
        city.save_revision(user=self.user, log_action=True).publish(user=self.user)
        self._cache.add_city(city)
        report.cities_created.append(f"{ref.name} ({ref.country})")
        return city

    def _network(self, network_or_ref, report):
        """The network page, creating a draft one first for a NetworkRef (a network the hub
        did not know), filed under Networks for a curator to complete and publish."""
        if not isinstance(network_or_ref, NetworkRef):
            return network_or_ref
        name = network_or_ref.name
        network = self._cache.network(name)
        if network is not None:
            return network
        index = NetworkIndexPage.objects.first()
        network = NetworkPage(title=name, short_name=_unique_short_name(name), live=False)
        network.slug = _unique_slug(index, name)
        index.add_child(instance=network)
        network.save_revision(user=self.user, log_action=True)
        self._cache.add_network(network)
        report.networks_created.append(name)
        return network

    def _term(self, key, term_or_label, plan, report):
        """Return the term, creating it first when --add-missing-terms left a label here."""
        if not isinstance(term_or_label, str):
            return term_or_label
        model, noun = VOCABULARIES[key]
        term = self._cache.term(model, term_or_label)
        if term is None:
            networks = [self._network(network, report) for network in plan.networks]
            term = model(label=term_or_label, source_network=(networks or [None])[0])
            term.slug = self._unique_term_slug(model, term_or_label)
            term.save()
            self._cache.add_term(model, term)
            report.terms_added.append(f'{noun} "{term_or_label}"')
        return term

    @staticmethod
    def _unique_term_slug(model, label):
        base = slugify(label)[:140] or "term"
        slug, n = base, 2
        while model.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @staticmethod
    def _event(presentation):
        """The event page a presentation refers to: same name, and same date when given."""
        events = EventPage.objects.filter(title__iexact=presentation.name)
        if presentation.date:
            events = events.filter(date=presentation.date)
        return events.first()


def _comparable(record):
    """An interchange record with its lists of names sorted: the order terms come back in
    from a revision is not something an import changes."""
    return {
        key: sorted(value) if isinstance(value, list) and all(isinstance(v, str) for v in value)
        else value
        for key, value in record.items()
    }  # fmt: skip


def _unique_short_name(name):
    """A short name for a new network that no network has (they are unique, 60 characters)."""
    base = name[:60]
    short, n = base, 2
    while NetworkPage.objects.filter(short_name__iexact=short).exists():
        suffix = f" ({n})"
        short, n = f"{base[: 60 - len(suffix)]}{suffix}", n + 1
    return short


def _problem(field_name, message):
    """A Problem found while resolving references."""
    return Problem(field_name, message)


class _Lookups:
    """Case-insensitive lookups of terms, networks and cities, cached for one file."""

    def __init__(self):
        self._terms = {}
        self._networks = None
        self._cities = None
        self._unfiled = None

    def unfiled(self):
        """The Unfiled practices page (made, restricted to curators, when first needed)."""
        if self._unfiled is None:
            self._unfiled = unfiled_practices_page()
        return self._unfiled

    def term(self, model, label):
        """The term of `model` with this label or slug, or None."""
        if model not in self._terms:
            self._terms[model] = {}
            for term in model.objects.all():
                self.add_term(model, term)
        return self._terms[model].get(label.strip().lower())

    def add_term(self, model, term):
        """Remember a term under its label and slug."""
        self._terms.setdefault(model, {})
        self._terms[model][term.label.lower()] = term
        self._terms[model][term.slug.lower()] = term

    def network(self, name):
        """The network page with this short name or title, or None."""
        if self._networks is None:
            self._networks = {}
            for network in NetworkPage.objects.all():
                self.add_network(network)
        return self._networks.get(name.strip().lower())

    def add_network(self, network):
        """Remember a network under its short name and title."""
        self._networks[network.short_name.lower()] = network
        self._networks[network.title.lower()] = network

    def city(self, ref):
        """The city page with this name (and country, when the record gives one), or None."""
        if self._cities is None:
            self._cities = {}
            for city in CityPage.objects.all():
                self.add_city(city)
        candidates = self._cities.get(ref.name.lower(), [])
        if ref.country:
            candidates = [c for c in candidates if c.country.code == ref.country]
        return candidates[0] if candidates else None

    def add_city(self, city):
        """Remember a city under its name."""
        self._cities.setdefault(city.title.lower(), []).append(city)

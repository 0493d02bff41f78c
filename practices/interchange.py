"""A practice as an interchange record (docs/importing.md): what the importer reads, written
back out, so an export can be edited and imported again to update the same pages."""

from .models import PracticePage


def current_version(page):
    """The version of a practice a curator works on: its latest draft when it has unpublished
    changes (an export must not overwrite them with the live text on re-import), else itself."""
    if page.has_unpublished_changes and page.latest_revision_id:
        return page.get_latest_revision_as_object()
    return page


def practice_record(page: PracticePage) -> dict:
    """The interchange record of a practice (every key of the format, in its order)."""
    organisation_type = page.organisation_type
    return {
        "title": page.title,
        "description": page.description,
        "key_themes": [term.label for term in page.key_themes.all()],
        "target_audiences": [term.label for term in page.target_audiences.all()],
        "cities": [
            {"name": city.title, "country": city.country.code} for city in cities_owner_first(page)
        ],
        "countries": [country.code for country in page.countries],
        "regions": [region.strip() for region in page.regions.split(",") if region.strip()],
        "networks": [network.short_name for network in page.networks.all()],
        "start_year": page.start_year,
        "end_year": page.end_year,
        "deliverables": page.deliverables,
        "evidence_and_evaluation": page.evidence_and_evaluation,
        "evaluation_type": page.evaluation_type,
        "peer_reviewed": page.peer_reviewed,
        "sustainability_and_transferability": page.sustainability_and_transferability,
        "presented_at": [
            {
                "name": item.name,
                "date": item.date.isoformat() if item.date else None,
                "place": item.place,
                "subject": item.subject,
            }
            for item in page.presented_at.all()
        ],
        "eu_funding": page.eu_funding,
        "funding_programmes": [term.label for term in page.funding_programmes.all()],
        "organisation": {
            "name": page.organisation_name,
            "description": page.organisation_description,
            "type": organisation_type.label if organisation_type else "",
        },
        "country_of_origin": page.country_of_origin.code or "",
        "contact": {
            "name": page.contact_name,
            "email": page.contact_email,
            "phone": page.contact_phone,
            "website": page.contact_website,
            "address": page.contact_address,
            "public": page.contact_consent,
        },
        "last_update_year": page.last_update_year,
        "tags": [tag.name for tag in page.tags.all()],
        "language": page.language,
        "source_url": page.source_url or None,
    }


def cities_owner_first(page):
    """The practice's cities, its owning city (the one it is filed under) first, so that an
    import files it in the same place (and a harvester reads where it is from)."""
    cities = list(page.cities.all())
    owner = page.owning_city
    if owner is not None and owner in cities:
        cities.remove(owner)
        cities.insert(0, owner)
    return cities


def record_for(page: PracticePage, user) -> dict:
    """The interchange record of a live practice as `user` may read it: the contact details
    only where the contact agreed to be public or the reader is a member (the one rule,
    PracticePage.contact_visible_to); otherwise they are empty."""
    record = practice_record(page)
    if not page.contact_visible_to(user):
        record["contact"] = dict.fromkeys(record["contact"], "") | {"public": False}
    return record

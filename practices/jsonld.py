"""schema.org descriptions of the public pages, as JSON-LD in each page's head.

A practice is a Project (its key themes `about`, as DefinedTerms of the RAN key themes set,
its audiences, cities, funding and, where the reader may see it, its contact point), a city a
City, a network an Organization, an event an Event. The context is written out in full
(`@vocab`) rather than named by schema.org's address, so any JSON-LD processor reads it
without fetching anything. What a page's JSON-LD holds is what the page itself shows the
same reader: pages are only served to who may see them, and the contact follows consent.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from .interchange import cities_owner_first
from .models import CityPage, EventPage, NetworkPage, PracticePage
from .rules import html_to_text

CONTEXT = {"@vocab": "https://schema.org/"}
# Inside <script>, these would end the element or start markup: written as JSON escapes.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _text(html, words=80):
    return Truncator(html_to_text(html or "")).words(words)


def _country(country):
    return {"@type": "Country", "name": country.name, "identifier": country.code}


def _city(city):
    data = {"@type": "City", "@id": city.full_url, "name": city.title, "url": city.full_url}
    if city.country:
        data["containedInPlace"] = _country(city.country)
    if city.latitude is not None and city.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(city.latitude),
            "longitude": float(city.longitude),
        }
    return data


def _network(network):
    data = {
        "@type": "Organization",
        "@id": network.full_url,
        "name": network.title,
        "alternateName": network.short_name,
        "url": network.full_url,
    }
    if network.website:
        data["sameAs"] = network.website
    return data


def _places(page):
    """The cities of a practice for a harvester: where it is from (the owning city, even when
    its scope does not list it) first."""
    cities = cities_owner_first(page)
    owner = page.owning_city
    if owner is not None and owner not in cities:
        cities.insert(0, owner)
    return cities


def _practice(page, user):
    site = page.get_site()
    themes_set = {
        "@type": "DefinedTermSet",
        "@id": f"{site.root_url if site else ''}/practices/#key-themes",
        "name": "RAN Collection key themes",
    }
    data = {
        "@type": "Project",
        "@id": page.full_url,
        "name": page.title,
        "url": page.full_url,
        "description": _text(page.description),
        "inLanguage": page.language,
        "about": [
            {
                "@type": "DefinedTerm",
                "name": theme.label,
                "termCode": theme.slug,
                "inDefinedTermSet": themes_set,
            }
            for theme in page.key_themes.all()
        ],  # fmt: skip
        "audience": [
            {"@type": "Audience", "audienceType": audience.label}
            for audience in page.target_audiences.all()
        ],
        "areaServed": [_city(city) for city in _places(page)]
        + [_country(country) for country in page.countries],
        "keywords": [tag.name for tag in page.tags.all()],
    }
    if page.start_year:
        data["foundingDate"] = str(page.start_year)
    if page.last_published_at:
        data["dateModified"] = page.last_published_at
    if page.organisation_name:
        data["parentOrganization"] = {"@type": "Organization", "name": page.organisation_name}
    programmes = list(page.funding_programmes.all())
    if programmes:
        data["funding"] = [{"@type": "Grant", "name": p.label} for p in programmes]
    networks = list(page.networks.all())
    if networks:
        data["memberOf"] = [_network(network) for network in networks]
    if page.has_contact and page.contact_visible_to(user):
        contact = {"@type": "ContactPoint", "contactType": "practice contact"}
        for key, value in (
            ("name", page.contact_name),
            ("email", page.contact_email),
            ("telephone", page.contact_phone),
            ("url", page.contact_website),
        ):
            if value:
                contact[key] = value
        data["contactPoint"] = contact
    return data


def _event(page):
    data = {
        "@type": "Event",
        "@id": page.full_url,
        "name": page.title,
        "url": page.full_url,
        "startDate": page.date,
        "description": _text(page.summary),
    }
    if page.end_date:
        data["endDate"] = page.end_date
    if page.place:
        data["location"] = {"@type": "Place", "name": page.place}
    parent = page.get_parent().specific
    if isinstance(parent, NetworkPage):
        data["organizer"] = _network(parent)
    return data


def describe(page, user):
    """The schema.org description of `page` as `user` reads it, or None for other pages."""
    page = page.specific
    if isinstance(page, PracticePage):
        data = _practice(page, user)
    elif isinstance(page, CityPage):
        data = _city(page)
        if page.intro:
            data["description"] = page.intro
    elif isinstance(page, NetworkPage):
        data = _network(page)
        data["description"] = _text(page.description)
    elif isinstance(page, EventPage):
        data = _event(page)
    else:
        return None
    return {"@context": CONTEXT, **data}


def script(page, user):
    """The <script type="application/ld+json"> element for `page` ("" when it has none)."""
    if not page.pk:  # a preview of a page never saved: no address to name it by
        return ""
    data = describe(page, user)
    if data is None:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 - escaped above

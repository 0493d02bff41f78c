"""The read API (/api/): what each endpoint gives each reader, its OpenAPI document checked by a
validator, the API exercised from that document by schemathesis, and its limits and caching."""

import json

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import TestCase, override_settings
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import response_schema_conformance

from practices.models import KeyTheme
from tests.factories import (
    AdaptationPageFactory,
    CityPageFactory,
    PracticePageFactory,
    UserFactory,
)
from tests.leaks import SECRET_CONTACT, LeakFixtures


class ApiTests(LeakFixtures, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.create_leak_fixtures()
        taken = KeyTheme.objects.filter(practices__isnull=False)
        cls.theme = KeyTheme.objects.exclude(pk__in=taken).order_by("pk").first()
        cls.open_practice = PracticePageFactory(
            title="Youth mentoring in parks",
            parent=cls.leak_city,
            contact_email="open@team.example",
            contact_consent=True,
            start_year=2019,
        )
        cls.open_practice.key_themes.set([cls.theme])
        cls.open_practice.save_revision().publish()
        cls.member = UserFactory(username="api-member")
        cls.member.groups.set([Group.objects.get(name="Members")])

    def setUp(self):
        cache.clear()

    def get(self, path, **query):
        response = self.client.get(path, query)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        return response, json.loads(response.content)

    def test_practice_list_filters_like_the_search_page(self):
        response, data = self.get("/api/practices/", theme=self.theme.slug)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(data["count"], 1)
        (item,) = data["results"]
        self.assertEqual(item["title"], "Youth mentoring in parks")
        self.assertEqual(item["key_themes"], [self.theme.label])
        self.assertEqual(item["url"], self.open_practice.full_url)
        # Words, through the engine: the same practice, and nothing for words nobody wrote.
        _response, data = self.get("/api/practices/", q="mentoring parks")
        self.assertEqual([r["id"] for r in data["results"]], [self.open_practice.pk])
        _response, data = self.get("/api/practices/", q="xylophonic")
        self.assertEqual(data["count"], 0)

    def test_pages_link_to_each_other_and_hold_every_result_once(self):
        seen, url = [], "/api/practices/?page_size=1&sort=title"
        while url:
            _response, data = self.get(url)
            seen += [item["id"] for item in data["results"]]
            url = data["next"]
        self.assertEqual(len(seen), data["count"])
        self.assertEqual(len(set(seen)), len(seen))
        self.assertIn(self.open_practice.pk, seen)

    def test_detail_has_every_interchange_field_and_consented_contact(self):
        _response, data = self.get(f"/api/practices/{self.open_practice.pk}/")
        from practices.interchange import practice_record

        self.assertLessEqual(set(practice_record(self.open_practice)), set(data))
        self.assertEqual(data["contact"]["email"], "open@team.example")
        self.assertEqual(data["start_year"], 2019)
        self.assertEqual(data["evidence"], self.open_practice.evidence_badge)

    def test_unconsented_contact_is_blank_for_the_public_and_given_to_members(self):
        url = f"/api/practices/{self.public_practice.pk}/"
        _response, data = self.get(url)
        self.assertEqual(data["contact"]["email"], "")
        self.client.force_login(self.member)
        _response, data = self.get(url)
        self.assertEqual(data["contact"]["email"], SECRET_CONTACT)

    def test_nothing_hidden_leaks_to_anonymous_calls(self):
        paths = [
            "/api/practices/?page_size=100",
            "/api/practices/?q=zebra",
            "/api/practices/?q=walrus",
            f"/api/practices/{self.public_practice.pk}/",
            "/api/cities/",
            f"/api/cities/{self.leak_city.pk}/",
            "/api/networks/",
            "/api/events/",
            "/api/adaptations/",
            "/api/vocabularies/tags/",
        ]
        for path in paths:
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, path)
            self.assert_nothing_leaked(response.content)
        for hidden in (self.members_only_practice, self.draft_practice, self.archived_practice):
            response = self.client.get(f"/api/practices/{hidden.pk}/")
            self.assertEqual(response.status_code, 404)
            self.assertEqual(json.loads(response.content), {"detail": "Not found."})

    def test_members_see_members_only_practices_but_never_drafts(self):
        self.client.force_login(self.member)
        response = self.client.get(f"/api/practices/{self.members_only_practice.pk}/")
        self.assertEqual(response.status_code, 200)
        _response, data = self.get("/api/practices/", q="zebra")
        self.assertEqual([r["id"] for r in data["results"]], [self.members_only_practice.pk])
        response = self.client.get(f"/api/practices/{self.draft_practice.pk}/")
        self.assertEqual(response.status_code, 404)
        _response, data = self.get("/api/practices/", q="walrus")
        self.assertEqual(data["count"], 0)

    def test_city_counts_only_visible_practices(self):
        _response, data = self.get(f"/api/cities/{self.leak_city.pk}/")
        self.assertEqual(data["title"], "Leakton")
        self.assertEqual(data["practices"], 2)  # the open practice and the public one

    def test_an_adaptation_of_a_hidden_original_does_not_reveal_it(self):
        city = CityPageFactory(title="Adaptville")
        report = AdaptationPageFactory(
            parent=city, original=self.members_only_practice, title="We adapted it"
        )
        _response, data = self.get(f"/api/adaptations/{report.pk}/")
        self.assertIsNone(data["original"])
        self.assert_nothing_leaked(json.dumps(data))

    def test_a_tag_only_a_draft_carries_is_not_listed(self):
        self.draft_practice.tags.add("walrus-tag")
        self.draft_practice.save()
        _response, data = self.get("/api/vocabularies/tags/")
        self.assertNotIn("walrus-tag", [term["slug"] for term in data])

    def test_bad_input_gets_a_clear_answer_and_no_server_error(self):
        for path in (
            "/api/practices/?page=0",
            "/api/practices/?sort=sideways",
            "/api/practices/99999999999999/",
            "/api/practices/abc/",
        ):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 422, path)
            self.assertIn("detail", json.loads(response.content))
        _response, data = self.get("/api/practices/", theme="no-such-theme")
        self.assertTrue(data["notices"])  # said, as on the search page
        self.assertEqual(self.client.get("/api/vocabularies/spells/").status_code, 404)

    def test_answers_carry_validators_and_304_while_nothing_changed(self):
        response = self.client.get("/api/practices/")
        etag, modified = response["ETag"], response["Last-Modified"]
        self.assertIn("must-revalidate", response["Cache-Control"])
        again = self.client.get("/api/practices/", headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)
        since = self.client.get("/api/practices/", headers={"if-modified-since": modified})
        self.assertEqual(since.status_code, 304)
        # A change someone could see: a new answer, with the new practice in it.
        PracticePageFactory(title="Brand new practice", parent=self.leak_city)
        changed = self.client.get("/api/practices/", headers={"if-none-match": etag})
        self.assertEqual(changed.status_code, 200)
        self.assertContains(changed, "Brand new practice")
        # A member's answer is not the public one.
        self.client.force_login(self.member)
        member = self.client.get("/api/practices/", headers={"if-none-match": changed["ETag"]})
        self.assertEqual(member.status_code, 200)
        self.assertIn("private", member["Cache-Control"])

    def test_downloads_carry_validators_too(self):
        response = self.client.get("/practices/", {"format": "json"})
        again = self.client.get(
            "/practices/", {"format": "json"}, headers={"if-none-match": response["ETag"]}
        )
        self.assertEqual(again.status_code, 304)

    @override_settings(PRACTICE_API_CALLS_PER_VISITOR=3, PRACTICE_API_WINDOW=600)
    def test_each_client_is_limited(self):
        codes = [self.client.get(f"/api/practices/?page={n}").status_code for n in (1, 2, 3, 4)]
        self.assertEqual(codes[:3], [200, 200, 200])
        refused = self.client.get("/api/practices/?page=5")
        self.assertEqual(refused.status_code, 429)
        self.assertGreater(int(refused["Retry-After"]), 0)
        self.assertIn("try again in", json.loads(refused.content)["detail"])

    def test_the_openapi_document_is_valid_and_the_docs_page_serves_it(self):
        response = self.client.get("/api/openapi.json")
        document = json.loads(response.content)
        validate(document)  # raises on an invalid OpenAPI document
        for path in ("/api/practices/", "/api/practices/{pk}/", "/api/cities/", "/api/events/"):
            self.assertIn(path, document["paths"])
        filters = {p["name"] for p in document["paths"]["/api/practices/"]["get"]["parameters"]}
        self.assertLessEqual({"q", "theme", "city", "country", "network", "adapted"}, filters)
        docs = self.client.get("/api/docs")
        self.assertContains(docs, "swagger-ui")
        self.assertNotContains(docs, "cdn.jsdelivr")  # served from here, offline


# --- schemathesis: every endpoint, from the document, with generated input.


@pytest.mark.django_db
def test_the_api_answers_any_input_from_its_schema_without_a_server_error():
    """No 5xx for any operation, and every answer matches the schema the document gives."""
    city = CityPageFactory(title="Schemaville")
    practice = PracticePageFactory(title="Generated input practice", parent=city)
    AdaptationPageFactory(parent=city, original=practice)
    # As Django's test client does: a WSGI request would otherwise close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 12
        for operation in operations:
            _answers_anything(operation)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _answers_anything(operation):
    """Run one operation with input generated from its schema."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def answers(case):
        response = case.call()
        assert response.status_code < 500, (case.path, response.text[:500])
        if response.status_code in (200, 404):
            case.validate_response(response, checks=[response_schema_conformance])

    answers()

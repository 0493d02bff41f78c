"""Evidence at a glance: the badge on cards, pages and sheets, and its curator-kept explanation."""

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse

from practices.models import EvidenceExplanation
from practices.sheets.render import practice_related_digest
from tests.factories import PracticePageFactory, UserFactory
from tests.practices.pdf_helpers import pdf_text


class EvidenceBadgeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.external = PracticePageFactory(
            title="Evaluated mentoring", evaluation_type="external", peer_reviewed=True
        )
        cls.unevaluated = PracticePageFactory(
            title="Untested outreach", evaluation_type="none", peer_reviewed=False
        )
        cls.curator = UserFactory(username="curator")
        cls.curator.groups.set([Group.objects.get(name="Curators")])

    def test_the_badge_says_how_it_was_evaluated_and_whether_peer_reviewed(self):
        self.assertEqual(self.external.evidence_badge, "External evaluation · Peer reviewed")
        self.assertEqual(self.unevaluated.evidence_badge, "Not yet evaluated")
        internal = PracticePageFactory(evaluation_type="internal", peer_reviewed=False)
        self.assertEqual(internal.evidence_badge, "Internal evaluation")

    def test_cards_pages_and_sheets_show_it(self):
        results = self.client.get("/practices/")
        self.assertContains(
            results, '<span class="badge">Evidence: External evaluation · Peer reviewed</span>'
        )
        self.assertContains(results, '<span class="badge">Evidence: Not yet evaluated</span>')
        page = self.client.get(self.external.url)
        self.assertContains(page, "Evidence: External evaluation · Peer reviewed")
        self.assertContains(page, "do not rate practices or audit the evaluations")
        sheet = self.client.get(self.external.sheet_url)
        self.assertIn(
            "Evidence: External evaluation · Peer reviewed",
            pdf_text(b"".join(sheet.streaming_content)),
        )

    def test_curators_edit_the_explanation_and_pages_and_sheets_follow(self):
        before = practice_related_digest(self.external)
        self.client.force_login(self.curator)
        url = reverse("wagtailsettings:edit", args=["practices", "evidenceexplanation"])
        form = self.client.get(url, follow=True)  # Wagtail adds the setting's id
        self.assertContains(form, "What the evidence badge means")
        self.client.post(
            form.redirect_chain[-1][0],
            {"explanation": "Badges are assigned by the Efus secretariat."},
        )
        self.assertEqual(
            EvidenceExplanation.load().explanation, "Badges are assigned by the Efus secretariat."
        )
        self.assertNotEqual(practice_related_digest(self.external), before)  # a new sheet
        self.client.logout()
        self.assertContains(
            self.client.get(self.external.url), "Badges are assigned by the Efus secretariat."
        )
        sheet = pdf_text(b"".join(self.client.get(self.external.sheet_url).streaming_content))
        self.assertIn("Badges are assigned by the Efus secretariat.", sheet)

    def test_city_editors_cannot_change_it(self):
        editor = UserFactory(username="editor")
        editor.groups.set([self.external.owning_city.editor_group_link.group])
        self.client.force_login(editor)
        setting = EvidenceExplanation.load()
        url = reverse("wagtailsettings:edit", args=["practices", "evidenceexplanation", setting.pk])
        self.assertNotEqual(self.client.get(url).status_code, 200)
        self.client.post(url, {"explanation": "Vandalised."})
        self.assertNotEqual(EvidenceExplanation.load().explanation, "Vandalised.")

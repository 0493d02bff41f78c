"""The review workflow in plain words, as a city editor and a curator use it in the admin."""

import datetime
import json

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import strip_tags
from wagtail.models import GroupApprovalTask, Task, TaskState, Workflow
from wagtail.users.models import UserProfile

from practices.models import KeyTheme, PracticePage, ReviewTask, TargetAudience
from practices.roles import TASK_NAME, setup_roles
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory
from tests.practices.editor import practice_form

CRITERIA = ["It aims to prevent radicalisation", "The contact details are current"]
SITE = "https://practices.example.org"


def footer(response):
    """(main button, the other actions) of the edit page's footer, as the person reads them."""
    menu = response.context["action_menu"]

    def label(item):
        return " ".join(strip_tags(item.render_html(menu.context)).split())

    return label(menu.default_item), [label(item) for item in menu.menu_items]


def texts(response):
    """The Django messages a response carries (and so shows), as plain text."""
    return [" ".join(strip_tags(str(m)).split()) for m in get_messages(response.wsgi_request)]


@override_settings(PRACTICE_INCLUSION_CRITERIA=CRITERIA, WAGTAILADMIN_BASE_URL=SITE)
class PlainWorkflowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Mechelen")
        editors = Group.objects.get(name="City editors: Mechelen")
        cls.editor = UserFactory(username="editor", first_name="Eva")
        cls.editor.groups.set([editors])
        cls.colleague = UserFactory(username="colleague")
        cls.colleague.groups.set([editors])
        cls.curator = UserFactory(username="curator", first_name="Carl", last_name="Curator")
        cls.curator.groups.set([Group.objects.get(name="Curators")])
        cls.themes = list(KeyTheme.objects.all()[:2])
        cls.audience = TargetAudience.objects.first()

    def form(self, action, title="Youth outreach"):
        return practice_form(title, themes=self.themes, audiences=[self.audience], action=action)

    def add_url(self):
        return reverse("wagtailadmin_pages:add", args=("practices", "practicepage", self.city.pk))

    def edit_url(self, page):
        return reverse("wagtailadmin_pages:edit", args=[page.pk])

    def submit_new_practice(self):
        self.client.force_login(self.editor)
        response = self.client.post(self.add_url(), self.form("action-submit"), follow=True)
        return PracticePage.objects.get(title="Youth outreach"), response

    def request_changes(self, page, criteria, comment):
        """What the curator's modal posts (the dashboard and the edit page use the same form)."""
        self.client.force_login(self.curator)
        task_state = page.current_workflow_task_state
        url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", task_state.pk])
        return self.client.post(url, {"criteria": criteria, "comment": comment})

    def test_the_editors_main_button_reads_submit_for_review(self):
        self.client.force_login(self.editor)
        main, others = footer(self.client.get(self.add_url()))
        self.assertEqual(main, "Submit for review")
        self.assertIn("Save draft", others)
        self.assertFalse([label for label in others if "Network review" in label])

    def test_after_submitting_the_editor_learns_what_happens_next_and_may_withdraw(self):
        page, response = self.submit_new_practice()
        self.assertEqual(page.current_workflow_state.status, "in_progress")
        next_step = [text for text in texts(response) if text.startswith("What happens next")]
        self.assertEqual(len(next_step), 1)
        self.assertIn("the Curators review “Youth outreach”", next_step[0])
        self.assertIn("sent an e-mail", next_step[0])

        main, others = footer(self.client.get(self.edit_url(page)))
        self.assertEqual(main, "In review by the curators")
        self.assertEqual(others, ["Withdraw from review"])

        # Withdrawing (Wagtail's cancel) makes it a draft again, to be submitted again.
        self.client.post(self.edit_url(page), self.form("action-cancel-workflow"))
        page.refresh_from_db()
        self.assertIsNone(page.current_workflow_state)
        main, _others = footer(self.client.get(self.edit_url(page)))
        self.assertEqual(main, "Submit for review")

    def test_curators_see_one_approve_and_publish_then_request_changes(self):
        page, _response = self.submit_new_practice()
        self.client.force_login(self.curator)
        main, others = footer(self.client.get(self.edit_url(page)))
        self.assertEqual(main, "Approve and publish")
        self.assertEqual(others[0], "Request changes")
        self.assertFalse([label for label in others if "Approve" in label or label == "Publish"])
        self.assertIn("Save draft", others)

    def test_approving_publishes(self):
        page, _response = self.submit_new_practice()
        self.client.force_login(self.curator)
        task_state = page.current_workflow_task_state
        self.client.post(
            reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
        )
        page.refresh_from_db()
        self.assertTrue(page.live)
        self.assertIsNone(page.current_workflow_state)

    def test_approving_from_the_edit_page_publishes(self):
        """The footer's "Approve and publish" posts the edit form with the workflow action."""
        page, _response = self.submit_new_practice()
        self.client.force_login(self.curator)
        data = self.form("action-workflow-action")
        data["workflow-action-name"] = "approve"
        data["workflow-action-extra-data"] = json.dumps({})
        self.client.post(self.edit_url(page), data)
        page.refresh_from_db()
        self.assertTrue(page.live)

    def test_the_request_changes_form_lists_the_criteria_beside_the_comment(self):
        page, _response = self.submit_new_practice()
        self.client.force_login(self.curator)
        task_state = page.current_workflow_task_state
        url = reverse(
            "wagtailadmin_pages:collect_workflow_action_data",
            args=[page.pk, "reject", task_state.pk],
        )
        html = json.loads(self.client.get(url).content)["html"]
        self.assertIn("Inclusion criteria not met yet", html)
        for criterion in CRITERIA:
            self.assertIn(f'value="{criterion}"', html)
        self.assertIn("Comment for the editors", html)
        self.assertIn("Request changes", html)

    def test_request_changes_needs_a_comment(self):
        page, _response = self.submit_new_practice()
        self.request_changes(page, CRITERIA[:1], "")
        page.refresh_from_db()
        self.assertEqual(page.current_workflow_state.status, "in_progress")

    def test_request_changes_emails_the_editors_with_the_comment_and_the_sites_address(self):
        page, _response = self.submit_new_practice()
        mail.outbox.clear()
        self.request_changes(page, CRITERIA[1:], "Please add the contact person's role.")
        page.refresh_from_db()
        self.assertEqual(page.current_workflow_state.status, "needs_changes")

        self.assertEqual(
            sorted(address for message in mail.outbox for address in message.to),
            ["colleague@example.org", "editor@example.org"],
        )
        message = mail.outbox[0]
        self.assertEqual(message.subject, 'Changes requested: "Youth outreach"')
        self.assertNotIn("rejected", message.body.lower())
        self.assertIn("Carl Curator (curators) has requested changes", message.body)
        self.assertIn("Not met yet:\n- The contact details are current", message.body)
        self.assertIn("Please add the contact person's role.", message.body)
        self.assertIn(f"{SITE}/admin/pages/{page.pk}/edit/", message.body)
        self.assertIn("Resubmit", message.body)

        # History keeps the same words.
        task_state = TaskState.objects.get(workflow_state__object_id=str(page.pk))
        self.assertIn("The contact details are current", task_state.comment)

    def test_the_banner_shows_the_comment_until_resubmitted(self):
        page, _response = self.submit_new_practice()
        self.request_changes(page, CRITERIA[:1], "Say who runs it.")
        self.client.force_login(self.editor)

        response = self.client.get(self.edit_url(page))
        banner = [text for text in texts(response) if text.startswith("Changes requested")]
        self.assertEqual(len(banner), 1)
        self.assertIn("Changes requested by Carl Curator", banner[0])
        self.assertIn("It aims to prevent radicalisation", banner[0])
        self.assertIn("Say who runs it.", banner[0])
        self.assertIn("Say who runs it.", response.content.decode())  # rendered, not only queued

        main, others = footer(response)
        self.assertEqual(main, "Resubmit")
        self.assertIn("Withdraw from review", others)
        self.assertFalse([label for label in others if "workflow" in label.lower()])

        self.client.post(self.edit_url(page), self.form("action-submit"))
        page.refresh_from_db()
        self.assertEqual(page.current_workflow_state.status, "in_progress")
        response = self.client.get(self.edit_url(page))
        self.assertFalse([text for text in texts(response) if text.startswith("Changes")])

    def test_the_banner_and_the_email_write_the_date_in_the_editors_language(self):
        profile = UserProfile.get_for_user(self.editor)
        profile.preferred_language = "fr"
        profile.save()
        page, _response = self.submit_new_practice()
        self.request_changes(page, [], "Say who runs it.")
        # A fixed day, so that the month is known: 5 March 2026 in Brussels.
        moment = datetime.datetime(2026, 3, 5, 10, 0, tzinfo=datetime.UTC)
        TaskState.objects.filter(workflow_state__object_id=str(page.pk)).update(finished_at=moment)

        self.client.force_login(self.editor)
        banner = [t for t in texts(self.client.get(self.edit_url(page))) if "Carl Curator" in t]
        self.assertEqual(len(banner), 1)
        self.assertIn("5 mars 2026", banner[0])
        self.assertNotIn("March", banner[0])

    def test_the_email_states_the_day_changes_were_requested(self):
        page, _response = self.submit_new_practice()
        mail.outbox.clear()
        with translation.override("fr"):
            expected = formats.date_format(timezone.localdate(), "DATE_FORMAT")
        profile = UserProfile.get_for_user(self.colleague)
        profile.preferred_language = "fr"
        profile.save()
        self.request_changes(page, [], "Say who runs it.")
        to_colleague = next(m for m in mail.outbox if m.to == ["colleague@example.org"])
        self.assertIn(expected, to_colleague.body)
        to_editor = next(m for m in mail.outbox if m.to == ["editor@example.org"])
        self.assertIn(formats.date_format(timezone.localdate(), "DATE_FORMAT"), to_editor.body)

    def test_the_banner_escapes_the_comment(self):
        page, _response = self.submit_new_practice()
        self.request_changes(page, [], "<script>alert(1)</script>")
        self.client.force_login(self.editor)
        content = self.client.get(self.edit_url(page)).content.decode()
        self.assertNotIn("<script>alert(1)</script>", content)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", content)


class ReviewTaskSetupTests(TestCase):
    def test_the_workflow_uses_the_review_task(self):
        task = Workflow.objects.get(name="Network review").tasks.get().specific
        self.assertIsInstance(task, ReviewTask)
        self.assertEqual(list(task.groups.values_list("name", flat=True)), ["Curators"])

    def test_a_plain_group_approval_task_becomes_a_review_task_in_place(self):
        """Databases from before: the task keeps its id, so a review in progress goes on."""
        city = CityPageFactory(title="Ghent")
        editor = UserFactory(username="ghent-editor")
        editor.groups.set([Group.objects.get(name="City editors: Ghent")])
        page = PracticePageFactory(title="Street talks", parent=city)
        page.unpublish()
        page = PracticePage.objects.get(pk=page.pk)
        page.save_revision(user=editor)
        old = Task.objects.get(name=TASK_NAME)
        ReviewTask.objects.get(pk=old.pk).delete(keep_parents=True)
        Task.objects.filter(pk=old.pk).update(content_type=GroupApprovalTask().content_type)
        self.assertIs(type(Task.objects.get(pk=old.pk).specific), GroupApprovalTask)
        state = page.get_workflow().start(page, editor)

        setup_roles()
        task = Task.objects.get(name=TASK_NAME).specific
        self.assertIsInstance(task, ReviewTask)
        self.assertEqual((task.pk, Task.objects.filter(name=TASK_NAME).count()), (old.pk, 1))
        self.assertEqual(list(task.groups.values_list("name", flat=True)), ["Curators"])
        task_state = TaskState.objects.get(pk=state.current_task_state.pk)
        task.on_action(task_state, UserFactory(username="root", is_superuser=True), "approve")
        page.refresh_from_db()
        self.assertTrue(page.live)

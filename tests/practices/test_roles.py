"""Roles: groups are set up idempotently, cities get editor groups, and who may do what."""

from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from wagtail.models import GroupPagePermission, PageLogEntry, Workflow, WorkflowPage

from practices.models import CityIndexPage, KeyTheme, PracticePage, TargetAudience
from practices.roles import (
    city_editor_group,
    make_members_only,
    setup_roles,
    unfiled_practices_page,
)
from tests.factories import CityPageFactory, PracticePageFactory, UserFactory
from tests.practices.editor import practice_form

ROLES = ("anonymous", "member", "editor_a", "editor_b", "curator", "superuser")


class RoleSetupTests(TestCase):
    def test_setup_roles_is_idempotent_and_repairs(self):
        city = CityPageFactory(title="Ghent")
        setup_roles()
        counts = (Group.objects.count(), GroupPagePermission.objects.count())
        setup_roles()
        self.assertEqual((Group.objects.count(), GroupPagePermission.objects.count()), counts)
        # A curator's permission removed by hand comes back.
        curators = Group.objects.get(name="Curators")
        GroupPagePermission.objects.filter(group=curators).delete()
        setup_roles()
        self.assertEqual((Group.objects.count(), GroupPagePermission.objects.count()), counts)
        self.assertEqual(city_editor_group(city).name, "City editors: Ghent")

    def test_the_review_workflow_is_assigned_at_the_cities_index(self):
        workflow = Workflow.objects.get(name="Network review")
        self.assertEqual(
            WorkflowPage.objects.get(workflow=workflow).page.specific, CityIndexPage.objects.get()
        )
        task = workflow.tasks.get().specific
        self.assertEqual(list(task.groups.values_list("name", flat=True)), ["Curators"])

    def test_a_new_city_gets_its_editor_group_with_rights_on_its_subtree_only(self):
        city = CityPageFactory(title="Lisbon")
        group = Group.objects.get(name="City editors: Lisbon")
        self.assertEqual(
            sorted(group.page_permissions.values_list("permission__codename", flat=True)),
            ["add_page", "change_page"],
        )
        self.assertEqual({p.page_id for p in group.page_permissions.all()}, {city.pk})

    def test_renaming_a_city_renames_its_group(self):
        city = CityPageFactory(title="Antwerp")
        city.title = "Antwerpen"
        city.save_revision().publish()
        self.assertTrue(Group.objects.filter(name="City editors: Antwerpen").exists())
        self.assertFalse(Group.objects.filter(name="City editors: Antwerp").exists())

    def test_the_importer_creates_the_group_of_a_city_it_creates(self):
        import json
        import tempfile
        from io import StringIO

        from django.core.management import call_command

        record = {
            "title": "Street mediation",
            "description": "Prevents polarisation.",
            "key_themes": ["Formers", "Family support"],
            "target_audiences": ["Families"],
            "cities": [{"name": "Utrecht", "country": "NL"}],
            "country_of_origin": "NL",
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
            json.dump([record], file)
            file.flush()
            call_command("import_practices", file.name, stdout=StringIO())
        self.assertTrue(Group.objects.filter(name="City editors: Utrecht").exists())


class PermissionMatrixTests(TestCase):
    """Each role x each action, through the real admin and public URLs."""

    EXPECTED = {
        "view live public practice": {
            "anonymous",
            "member",
            "editor_a",
            "editor_b",
            "curator",
            "superuser",
        },
        "view members-only practice": {"member", "curator", "superuser"},
        "view contact block without consent": {"member", "curator", "superuser"},
        "view draft": {"editor_a", "curator", "superuser"},
        "edit city A practice": {"editor_a", "curator", "superuser"},
        "add under city B": {"editor_b", "curator", "superuser"},
        "publish": {"curator", "superuser"},
        "approve": {"curator", "superuser"},
        "manage vocabularies": {"curator", "superuser"},
        "manage groups": {"superuser"},
        "see and move unfiled practices": {"curator", "superuser"},
    }

    @classmethod
    def setUpTestData(cls):
        cls.city_a = CityPageFactory(title="Alphaville")
        cls.city_b = CityPageFactory(title="Betatown")
        cls.public = PracticePageFactory(
            title="Public practice", parent=cls.city_a, contact_email="hidden@example.org"
        )
        cls.members_only = PracticePageFactory(title="Members practice", parent=cls.city_a)
        make_members_only(cls.members_only)
        cls.draft = PracticePageFactory(title="Draft practice", parent=cls.city_a)
        cls.draft.unpublish()
        # What the importer files with neither a city nor a network.
        cls.unfiled = unfiled_practices_page()
        cls.homeless = PracticePageFactory(title="Homeless practice", parent=cls.unfiled)
        cls.homeless.unpublish()
        groups = {g.name: g for g in Group.objects.all()}
        cls.users = {"anonymous": None}
        for role, group_names in {
            "member": ["Members"],
            "editor_a": ["City editors: Alphaville"],
            "editor_b": ["City editors: Betatown"],
            "curator": ["Curators"],
        }.items():
            user = UserFactory(username=role)
            user.groups.set([groups[name] for name in group_names])
            cls.users[role] = user
        cls.users["superuser"] = UserFactory(username="root", is_superuser=True, is_staff=True)
        cls.themes = list(KeyTheme.objects.all()[:2])
        cls.audience = TargetAudience.objects.first()

    def as_role(self, role):
        self.client.logout()
        if self.users[role] is not None:
            self.client.force_login(self.users[role])

    def check(self, action, attempt):
        """Run `attempt()` (True when allowed) for every role and compare with EXPECTED."""
        for role in ROLES:
            with self.subTest(action=action, role=role):
                self.as_role(role)
                self.assertEqual(attempt(role), role in self.EXPECTED[action])

    def get_ok(self, url):
        return self.client.get(url).status_code == 200

    def test_view_live_public_practice(self):
        self.check("view live public practice", lambda role: self.get_ok(self.public.url))

    def test_view_members_only_practice(self):
        def attempt(role):
            response = self.client.get(self.members_only.url)
            if response.status_code == 302:
                self.assertIn("/accounts/login/", response["Location"])
            return response.status_code == 200

        self.check("view members-only practice", attempt)

    def test_view_contact_block_without_consent(self):
        self.check(
            "view contact block without consent",
            lambda role: "hidden@example.org" in self.client.get(self.public.url).content.decode(),
        )

    def test_view_draft(self):
        def attempt(role):
            public = self.client.get(f"{self.city_a.url}{self.draft.slug}/").status_code
            self.assertEqual(public, 404)  # never on the public site, whoever asks
            return self.get_ok(reverse("wagtailadmin_pages:view_draft", args=[self.draft.pk]))

        self.check("view draft", attempt)

    def test_edit_city_a_practice(self):
        self.check(
            "edit city A practice",
            lambda role: self.get_ok(reverse("wagtailadmin_pages:edit", args=[self.public.pk])),
        )

    def test_see_and_move_unfiled_practices(self):
        def attempt(role):
            # Never on the public site, whoever asks.
            self.assertEqual(self.client.get(f"/{self.unfiled.slug}/").status_code, 404)
            listing = self.get_ok(reverse("wagtailadmin_explore", args=[self.unfiled.pk]))
            draft = self.get_ok(reverse("wagtailadmin_pages:view_draft", args=[self.homeless.pk]))
            move = self.get_ok(reverse("wagtailadmin_pages:move", args=[self.homeless.pk]))
            self.assertEqual({listing, draft}, {move})
            return move

        self.check("see and move unfiled practices", attempt)

    def test_add_under_city_b(self):
        url = reverse("wagtailadmin_pages:add", args=("practices", "practicepage", self.city_b.pk))
        self.check("add under city B", lambda role: self.get_ok(url))

    def test_publish(self):
        def attempt(role):
            title = f"Published by {role}"
            self.client.post(
                reverse("wagtailadmin_pages:edit", args=[self.public.pk]),
                practice_form(
                    title, themes=self.themes, audiences=[self.audience], action="action-publish"
                ),
            )
            return PracticePage.objects.get(pk=self.public.pk).title == title

        self.check("publish", attempt)

    def test_approve(self):
        def attempt(role):
            page = PracticePageFactory(title=f"Submitted {role}", parent=self.city_a)
            page.unpublish()
            page = PracticePage.objects.get(pk=page.pk)
            page.save_revision(user=self.users["editor_a"])
            workflow_state = page.get_workflow().start(page, self.users["editor_a"])
            task_state = workflow_state.current_task_state
            self.client.post(
                reverse(
                    "wagtailadmin_pages:workflow_action",
                    args=[page.pk, "approve", task_state.pk],
                ),
                {"comment": ""},
            )
            return PracticePage.objects.get(pk=page.pk).live

        self.check("approve", attempt)

    def test_manage_vocabularies(self):
        url = reverse("wagtailsnippets_practices_keytheme:add")
        self.check("manage vocabularies", lambda role: self.get_ok(url))

    def test_manage_groups(self):
        self.check("manage groups", lambda role: self.get_ok(reverse("wagtailusers_groups:index")))


class ReviewWorkflowTests(TestCase):
    """A city editor creates and submits; it is not public; a curator approves; it is."""

    @classmethod
    def setUpTestData(cls):
        cls.city = CityPageFactory(title="Mechelen")
        cls.editor = UserFactory(username="editor")
        cls.editor.groups.set([Group.objects.get(name="City editors: Mechelen")])
        cls.curator = UserFactory(username="curator", email="curator@example.org")
        cls.curator.groups.set([Group.objects.get(name="Curators")])

    def test_submit_review_approve_publish(self):
        themes, audience = list(KeyTheme.objects.all()[:2]), TargetAudience.objects.first()
        self.client.force_login(self.editor)
        add_url = reverse(
            "wagtailadmin_pages:add", args=("practices", "practicepage", self.city.pk)
        )
        self.client.post(
            add_url,
            practice_form(
                "Youth outreach", themes=themes, audiences=[audience], action="action-submit"
            ),
        )
        page = PracticePage.objects.get(title="Youth outreach")
        self.assertFalse(page.live)
        self.assertEqual(page.current_workflow_task.name, "Curators approval")
        self.assertIn("curator@example.org", [address for m in mail.outbox for address in m.to])

        self.client.logout()
        self.assertEqual(self.client.get(f"{self.city.url}youth-outreach/").status_code, 404)
        self.assertNotIn("Youth outreach", self.client.get(self.city.url).content.decode())

        self.client.force_login(self.curator)
        task_state = page.current_workflow_task_state
        self.client.post(
            reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]),
            {"comment": "Looks good."},
        )
        page.refresh_from_db()
        self.assertTrue(page.live)

        self.client.logout()
        self.assertEqual(self.client.get(page.url).status_code, 200)
        self.assertIn("Youth outreach", self.client.get(self.city.url).content.decode())
        actions = list(
            PageLogEntry.objects.filter(page=page)
            .order_by("timestamp", "pk")
            .values_list("action", flat=True)
        )
        for expected in (
            "wagtail.create",
            "wagtail.workflow.start",
            "wagtail.workflow.approve",
            "wagtail.publish",
        ):
            self.assertIn(expected, actions)
        self.assertLess(actions.index("wagtail.create"), actions.index("wagtail.workflow.start"))
        self.assertLess(
            actions.index("wagtail.workflow.start"), actions.index("wagtail.workflow.approve")
        )

    def test_a_city_editor_cannot_publish_directly(self):
        themes, audience = list(KeyTheme.objects.all()[:2]), TargetAudience.objects.first()
        self.client.force_login(self.editor)
        add_url = reverse(
            "wagtailadmin_pages:add", args=("practices", "practicepage", self.city.pk)
        )
        self.client.post(
            add_url,
            practice_form(
                "Sneaky publish", themes=themes, audiences=[audience], action="action-publish"
            ),
        )
        self.assertFalse(PracticePage.objects.get(title="Sneaky publish").live)

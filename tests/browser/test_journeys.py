"""Each role's main journey, in a real browser against the live server."""

import pytest

from practices.models import PracticePage

from .conftest import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MEMBERS_ONLY = (
    "Bi-weekly police–prevention case conferences with an Information Officer in the police"
)


def test_a_member_sees_a_members_only_practice_that_a_visitor_cannot(demo_site, new_page):
    practice = PracticePage.objects.get(title=MEMBERS_ONLY)

    visitor = new_page()
    visitor.goto(f"{demo_site}/cities/mechelen/")
    assert MEMBERS_ONLY not in visitor.content()
    visitor.goto(f"{demo_site}{practice.url}")
    assert "/accounts/login/" in visitor.url
    assert MEMBERS_ONLY not in visitor.content()

    member = new_page()
    member.goto(f"{demo_site}{practice.url}")  # sent to the sign-in form, then back
    member.fill("#id_username", "member")
    member.fill("#id_password", "demo-password-for-tests")
    member.get_by_role("button", name="Sign in").click()
    member.wait_for_url(f"{demo_site}{practice.url}")
    assert member.locator("h1").inner_text() == MEMBERS_ONLY
    screenshot(member, "practice-members-only")
    member.goto(f"{demo_site}/cities/mechelen/")
    assert MEMBERS_ONLY in member.content()


def test_a_city_editor_submits_a_curator_approves_and_visitors_find_it(demo_site, new_page):
    title = "Neighbourhood dialogue tables"
    editor = new_page()
    sign_in(editor, demo_site, "mechelen-editor", admin=True)
    city_id = PracticePage.objects.get(title__startswith="Building a sustainable").get_parent().pk
    editor.goto(f"{demo_site}/admin/pages/add/practices/practicepage/{city_id}/")
    editor.fill("#id_title", title)
    editor.press("#id_title", "Tab")  # the title fills in the slug on blur
    editor.locator("[data-contentpath='description'] [contenteditable='true']").click()
    editor.keyboard.type(
        "Dialogue tables bring neighbours together to prevent polarisation and radicalisation."
    )
    editor.get_by_label("Social cohesion and polarisation").check()
    editor.get_by_label("Local strategies/cities").check()
    editor.get_by_label("General public").check()
    editor.select_option("select[name=country_of_origin]", "BE")
    screenshot(editor, "admin-practice-editor")
    editor.click("footer button:has-text('More actions')")
    editor.click("button[name=action-submit]")
    editor.wait_for_load_state("networkidle")
    assert "submitted for moderation" in editor.content()

    page = PracticePage.objects.get(title=title)
    assert not page.live
    visitor = new_page()
    visitor.goto(f"{demo_site}/practices/")
    assert title not in visitor.content()
    visitor.goto(f"{demo_site}/cities/mechelen/")
    assert title not in visitor.content()

    curator = new_page()
    sign_in(curator, demo_site, "curator", admin=True)
    curator.goto(f"{demo_site}/admin/")
    screenshot(curator, "admin-dashboard-curator")
    row = curator.locator("tr", has_text=title)  # "Awaiting your review"
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Approve", exact=True).click()
    curator.wait_for_load_state("networkidle")
    page.refresh_from_db()
    assert page.live
    assert set(page.key_themes.values_list("label", flat=True)) == {
        "Social cohesion and polarisation",
        "Local strategies/cities",
    }

    visitor.goto(f"{demo_site}/practices/")
    assert title in visitor.content()
    visitor.click(f"text={title}")
    assert visitor.locator("h1").inner_text() == title

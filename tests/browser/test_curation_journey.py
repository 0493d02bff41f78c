"""The curator's journey: approve from the dashboard, bulk-mark reviewed, archive with a reason."""

import pytest
from playwright.sync_api import expect
from wagtail.models import PageLogEntry, Workflow

from practices.models import CityPage, PracticePage
from practices.roles import city_editor_group

from .conftest import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REASON = "The project ended in 2024; its successor is listed as a new practice."


def submit_a_change_for_review(practice, editor, new_title):
    """The city editor's change, waiting for the curators (the editor's own journey is in
    test_journeys.py; here it is the starting point)."""
    draft = PracticePage.objects.get(pk=practice.pk)
    draft.title = new_title
    revision = draft.save_revision(user=editor)
    Workflow.objects.get(name="Network review").start(draft, editor)
    return revision


def test_a_curator_approves_marks_three_reviewed_and_archives_one_with_a_reason(
    demo_site, new_page, settings
):
    from django.contrib.auth import get_user_model
    from django.core import mail

    from tests.task_queue import DATABASE_QUEUE, run_worker

    settings.TASKS = DATABASE_QUEUE  # the e-mail goes through the real worker
    mechelen = CityPage.objects.get(title="Mechelen")
    practices = list(PracticePage.objects.child_of(mechelen).live().order_by("title"))
    assert len(practices) >= 3
    editors = city_editor_group(mechelen).user_set.all()
    editor_addresses = sorted(editors.values_list("email", flat=True))
    assert editor_addresses  # the demo's Mechelen editor
    changed = practices[0]
    new_title = f"{changed.title} (2025 update)"
    submit_a_change_for_review(changed, editors[0], new_title)
    waiting = practices[3]  # a second change stays in review while the curator works
    waiting_title = f"{waiting.title} (new contact)"
    submit_a_change_for_review(waiting, editors[0], waiting_title)

    curator = new_page(width=1440)  # a listing of ten columns: a curator's desktop screen
    sign_in(curator, demo_site, "curator", admin=True)
    # 1. Approve from the dashboard, in one action.
    curator.goto(f"{demo_site}/admin/")
    row = curator.locator("tr", has_text=new_title)
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Approve and publish", exact=True).click()
    curator.wait_for_load_state("networkidle")
    assert PracticePage.objects.get(pk=changed.pk).title == new_title
    assert PracticePage.objects.get(pk=changed.pk).live

    # 2. The curation listing: the city's practices, their networks, themes and status.
    curator.goto(f"{demo_site}/admin/curation/?city={mechelen.pk}")
    table = curator.locator("table.listing")
    for heading in ("Networks", "Key themes", "Status", "Awaiting review since"):
        expect(table.locator("th", has_text=heading).first).to_be_visible()
    expect(table.locator("tr", has_text=practices[1].title)).to_contain_text("Never reviewed")
    # The live title until the change is approved; the wait started when it was submitted.
    in_review = table.locator("tr", has_text=waiting.title)
    expect(in_review).to_contain_text("In review")
    expect(in_review.locator("time")).to_contain_text("Just now")
    screenshot(curator, "curation-listing")

    # 3. Select three practices and mark them reviewed.
    three = [new_title, practices[1].title, practices[2].title]
    for title in three:
        table.locator("tr", has_text=title).locator("input[data-bulk-action-checkbox]").check()
    footer = curator.locator("[data-bulk-action-footer]")
    expect(footer).to_contain_text("3 pages selected")
    curator.wait_for_timeout(400)  # the footer slides in
    screenshot(curator, "curation-bulk-actions")
    footer.locator("a", has_text="Mark reviewed").click()
    expect(curator.get_by_role("heading", name="Mark reviewed")).to_be_visible()
    curator.get_by_role("button", name="Yes, mark reviewed").click()
    expect(curator.locator(".messages")).to_contain_text("3 practices are marked reviewed today")
    for title in three:
        row = curator.locator("table.listing tr", has_text=title)
        expect(row).to_contain_text("Live (reviewed)")
    reviewed = PracticePage.objects.filter(pk__in=[page.pk for page in practices[:3]])
    assert all(page.last_reviewed is not None for page in reviewed)

    # 4. Archive one, with a reason (required: an empty form changes nothing).
    mail.outbox.clear()  # Wagtail's workflow notifications so far
    archived = practices[2]
    row = curator.locator("table.listing tr", has_text=archived.title)
    row.locator("input[data-bulk-action-checkbox]").check()
    curator.locator("[data-bulk-action-footer]").locator(
        "a", has_text="Archive with a reason"
    ).click()
    curator.get_by_label("Reason for archiving").fill(REASON)
    screenshot(curator, "curation-archive-reason")
    curator.get_by_label("Reason for archiving").fill("   ")
    curator.get_by_role("button", name="Yes, archive them").click()
    expect(curator.get_by_text("This field is required.")).to_be_visible()
    assert not PracticePage.objects.get(pk=archived.pk).archived
    curator.get_by_label("Reason for archiving").fill(REASON)
    curator.get_by_role("button", name="Yes, archive them").click()
    expect(curator.locator(".messages")).to_contain_text("1 practice is archived")
    page = PracticePage.objects.get(pk=archived.pk)
    assert page.archived and page.archive_reason == REASON
    entry = PageLogEntry.objects.get(page=page, action="practices.archive")
    assert entry.data["reason"] == REASON
    assert entry.user == get_user_model().objects.get(username="curator")

    # 5. The city's editors are told, by the worker; the public page shows the reason.
    assert mail.outbox == []  # queued, not sent by the web request
    run_worker()
    assert sorted(address for message in mail.outbox for address in message.to) == (
        editor_addresses
    )
    message = mail.outbox[0]
    assert archived.title in message.subject
    assert REASON in message.body
    assert page.full_url in message.body

    visitor = new_page()
    visitor.goto(page.full_url)
    banner = visitor.locator(".banner-archived")
    expect(banner).to_contain_text("Archived practice.")
    expect(banner).to_contain_text(REASON)
    screenshot(visitor, "curation-archived-page")

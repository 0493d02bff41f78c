"""Each role's main journey, in a real browser against the live server."""

import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from practices.models import PracticePage

from .conftest import screenshot, sign_in, submit_new_page_for_review
from .test_accessibility import WCAG_AA

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MEMBERS_ONLY = (
    "Bi-weekly police–prevention case conferences with an Information Officer in the police"
)


def open_new_page_form(page, url):
    """Open a create form and wait until Wagtail watches it for edits, as a person would.

    Wagtail 8 records the form's starting values two seconds after it loads and autosaves only
    what differs from them: values typed sooner count as the starting values, nothing is
    autosaved and submit_new_page_for_review waits for the edit URL in vain. The form says
    when it starts watching (the w-unsaved:watch-edits event).
    """
    page.goto(url)
    page.evaluate(
        "() => document.addEventListener('w-unsaved:watch-edits', () => {"
        " document.body.dataset.watchingEdits = 'yes'; }, { once: true })"
    )
    page.wait_for_selector("body[data-watching-edits='yes']", state="attached")


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
    # The member is told the practice is members-only, so they do not pass it on by mistake.
    expect(member.locator(".members-only-marker")).to_contain_text("Members only")
    screenshot(member, "practice-members-only")
    violations = Axe().run(member, options=WCAG_AA).response["violations"]
    assert [violation["id"] for violation in violations] == []
    member.goto(f"{demo_site}/cities/mechelen/")
    assert MEMBERS_ONLY in member.content()


def test_a_city_editor_submits_a_curator_approves_and_visitors_find_it(demo_site, new_page):
    title = "Neighbourhood dialogue tables"
    editor = new_page()
    sign_in(editor, demo_site, "mechelen-editor", admin=True)
    city_id = PracticePage.objects.get(title__startswith="Building a sustainable").get_parent().pk
    open_new_page_form(editor, f"{demo_site}/admin/pages/add/practices/practicepage/{city_id}/")
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
    # Organisation type is a short vocabulary: radio buttons (the editor form, issue 15).
    editor.get_by_role("radio", name="NGO", exact=True).check()
    screenshot(editor, "admin-practice-editor")
    submit_new_page_for_review(editor)
    assert "submitted for moderation" in editor.content()
    assert "What happens next: the Curators review" in editor.content()

    page = PracticePage.objects.get(title=title)
    assert not page.live
    visitor = new_page()
    visitor.goto(f"{demo_site}/practices/?q=dialogue+tables")
    assert title not in visitor.content()
    assert visitor.locator("#results-heading").inner_text().startswith("0 practices")
    visitor.goto(f"{demo_site}/cities/mechelen/")
    assert title not in visitor.content()

    curator = new_page()
    sign_in(curator, demo_site, "curator", admin=True)
    curator.goto(f"{demo_site}/admin/")
    screenshot(curator, "admin-dashboard-curator")
    row = curator.locator("tr", has_text=title)  # "Awaiting your review"
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Approve and publish", exact=True).click()
    curator.wait_for_load_state("networkidle")
    page.refresh_from_db()
    assert page.live
    assert page.organisation_type.label == "NGO"
    assert set(page.key_themes.values_list("label", flat=True)) == {
        "Social cohesion and polarisation",
        "Local strategies/cities",
    }

    visitor.goto(f"{demo_site}/practices/?q=dialogue+tables")
    assert visitor.locator("#results-heading").inner_text().startswith("1 practice")
    visitor.click(f"text={title}")
    assert visitor.locator("h1").inner_text() == title


def test_a_visitor_searches_filters_opens_a_practice_and_downloads_its_sheet(demo_site, new_page):
    import io
    from pathlib import Path

    from pypdf import PdfReader

    visitor = new_page()
    visitor.goto(demo_site)
    visitor.fill("#home-q", "online")
    visitor.get_by_role("button", name="Search", exact=True).last.click()
    visitor.wait_for_url("**/practices/?q=online*")
    count_before = visitor.locator("#results-heading").inner_text()
    theme = visitor.locator("#facet-theme-local-strategiescities")
    theme_count_before = visitor.locator("label[for^='facet-audience-']").all_inner_texts()
    screenshot(visitor, "search-online")

    # On a wide screen a filter applies as soon as it is ticked: no button to find.
    assert not visitor.get_by_role("button", name="Apply filters").is_visible()
    theme.check()
    visitor.wait_for_url("**theme=local-strategiescities*")
    visitor.locator("#facet-country-be").check()
    visitor.wait_for_url("**country=be*")
    assert "theme=local-strategiescities" in visitor.url
    count_after = visitor.locator("#results-heading").inner_text()
    assert count_after != count_before
    assert count_after.startswith("1 practice")
    assert visitor.locator("label[for^='facet-audience-']").all_inner_texts() != theme_count_before
    assert visitor.locator("#facet-theme-local-strategiescities").is_checked()
    # The selection shows as a removable chip too.
    assert (
        visitor.get_by_role("link", name="Remove filter Key theme: Local strategies/cities").count()
        == 1
    )
    screenshot(visitor, "search-filtered")

    visitor.locator(".result-list a").first.click()
    title = visitor.locator("h1").inner_text()
    assert title == "Building a sustainable online prevention P/CVE approach"
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="Download practice sheet (PDF)").click()
    pdf = download_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    data = Path(pdf.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Building a sustainable online prevention" in " ".join(text.split())


def test_a_city_editor_sees_their_unsaved_edit_in_the_live_preview(demo_site, new_page):
    practice = PracticePage.objects.get(title__startswith="Building a sustainable")
    editor = new_page()
    sign_in(editor, demo_site, "mechelen-editor", admin=True)
    editor.goto(f"{demo_site}/admin/pages/{practice.pk}/edit/")
    editor.fill("#id_title", "A title seen only in the preview")
    editor.click("button[data-side-panel-toggle='preview']")
    # Wagtail loads the preview into a second iframe, then puts it in the first one's place.
    iframes = editor.locator("[data-side-panel='preview'] iframe")
    editor.wait_for_function(
        "() => document.querySelectorAll(\"[data-side-panel='preview'] iframe\").length === 1"
        " && document.querySelector(\"[data-side-panel='preview'] iframe\").src",
        timeout=20_000,
    )
    frame = iframes.content_frame
    heading = frame.locator("h1")
    heading.wait_for(timeout=20_000)
    assert heading.inner_text() == "A title seen only in the preview"
    # Related practices, the part that failed on pages rebuilt from a revision, are there.
    assert frame.locator("main").inner_text()
    screenshot(editor, "admin-live-preview")
    practice.refresh_from_db()
    assert practice.title.startswith("Building a sustainable")  # nothing was saved


def test_a_visitor_waits_for_a_bundle_and_it_downloads_without_a_reload(
    demo_site, new_page, settings
):
    import io
    from pathlib import Path

    from pypdf import PdfReader

    from tests.task_queue import DATABASE_QUEUE, run_worker

    settings.TASKS = DATABASE_QUEUE  # a real queue: the page waits until the worker has run
    practices = list(PracticePage.objects.live().public().order_by("pk")[:3])
    ids = ",".join(str(practice.pk) for practice in practices)
    visitor = new_page()
    problems = []
    visitor.on("console", lambda message: message.type == "error" and problems.append(message))
    visitor.goto(f"{demo_site}/sheets/bundle/?ids={ids}")
    assert visitor.locator("h1").inner_text() == "Your PDF is being prepared"
    visitor.evaluate("window.stillTheSamePage = true")
    screenshot(visitor, "bundle-waiting")
    with visitor.expect_download(timeout=30_000) as download_info:
        run_worker()
    data = Path(download_info.value.path()).read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert practices[0].title.split()[0] in text
    # The script asked for the state and started the download; the page never reloaded.
    assert visitor.evaluate("window.stillTheSamePage") is True
    assert visitor.get_by_text("Your PDF is ready and the download has started.").is_visible()
    assert visitor.get_by_role("link", name="Download the PDF again").is_visible()
    assert problems == []  # nothing refused by the Content-Security-Policy, no script error


def test_a_curator_uploads_a_collection_reads_the_dry_run_and_imports_it(
    demo_site, new_page, settings
):
    from tests.task_queue import DATABASE_QUEUE, run_worker

    settings.TASKS = DATABASE_QUEUE  # a real queue: the page waits for the worker
    collection = Path(settings.BASE_DIR) / "fixtures" / "import" / "collection.csv"
    practices = PracticePage.objects.count()
    curator = new_page()
    sign_in(curator, demo_site, "curator", admin=True)
    curator.get_by_role("link", name="Import practices").click()
    curator.get_by_role("link", name="Upload a file").first.click()
    curator.set_input_files("#id_file", str(collection))
    curator.get_by_role("button", name="Upload and check").click()
    expect(curator.get_by_text("Waiting for the task worker to start")).to_be_visible()
    curator.evaluate("window.stillWaiting = true")
    run_worker()
    # The page's script notices the dry run has finished and shows it.
    curator.get_by_role("heading", name="Dry run: what an import would do").wait_for()
    assert curator.evaluate("window.stillWaiting") is None  # reloaded by the script
    assert curator.get_by_text("Would be updated").count() == 0
    assert curator.get_by_text("no owning city or network").count() == 2
    screenshot(curator, "admin-import-dry-run")
    assert PracticePage.objects.count() == practices  # nothing written yet

    curator.get_by_role("button", name="Import these 6 practices").click()
    expect(curator.get_by_text("Waiting for the task worker to start")).to_be_visible()
    run_worker()
    curator.get_by_role("heading", name="What the import did").wait_for()
    assert curator.get_by_role("link", name="The Aarhus model").is_visible()
    screenshot(curator, "admin-import-report")
    assert PracticePage.objects.count() == practices + 6
    curator.get_by_role("link", name="All imports").click()
    expect(curator.get_by_role("link", name="collection.csv")).to_be_visible()

    # A city editor has no import screen, in the menu or by its address.
    editor = new_page()
    sign_in(editor, demo_site, "mechelen-editor", admin=True)
    assert editor.get_by_role("link", name="Import practices").count() == 0
    editor.goto(f"{demo_site}/admin/practices/imports/")
    expect(editor.get_by_text("Sorry, you do not have permission")).to_be_visible()
    assert "collection.csv" not in editor.content()


def test_a_visitor_writes_to_the_team_of_a_practice_without_public_contact_details(
    demo_site, new_page, settings
):
    from django.core import mail

    from tests.task_queue import DATABASE_QUEUE, run_worker

    settings.TASKS = DATABASE_QUEUE  # the relay goes through the real worker
    practice = PracticePage.objects.get(title__startswith="Online safe space: a gaming")
    editors = sorted(
        PracticePage.objects.get(
            pk=practice.pk
        ).owning_city.editor_group_link.group.user_set.values_list("email", flat=True)
    )
    assert editors  # the demo's Mechelen editor
    visitor = new_page(width=390)
    visitor.goto(f"{demo_site}{practice.url}")
    visitor.get_by_role("link", name="Write to the team behind this practice").click()
    expect(
        visitor.get_by_text("Your message goes by e-mail to the editors of Mechelen")
    ).to_be_visible()
    visitor.get_by_role("button", name="Send the message").click()
    # Every missing field is listed at once, each linked to its field.
    expect(visitor.get_by_role("heading", name="Your message was not sent")).to_be_visible()
    assert visitor.locator(".error-summary li").count() == 3
    screenshot(visitor, "contact-errors")
    visitor.get_by_label("Your name").fill("Anna Visitor")
    visitor.get_by_label("Your organisation").fill("City of Ghent")
    visitor.get_by_label("Your e-mail address").fill("anna@ghent.example")
    visitor.get_by_label("Your message").fill(
        "How did you recruit the young people for the first tournament?"
    )
    visitor.get_by_role("button", name="Send the message").click()
    expect(visitor.get_by_role("heading", name="Your message is on its way")).to_be_visible()
    assert mail.outbox == []  # queued for the worker, not sent by the web request
    run_worker()
    relayed, copy = mail.outbox
    assert relayed.to == editors
    assert relayed.reply_to == ["anna@ghent.example"]
    assert "How did you recruit" in relayed.body
    assert copy.to == ["anna@ghent.example"]
    for address in editors:
        assert address not in copy.body
        assert address not in visitor.content()


def test_a_visitor_shortlists_three_practices_compares_them_and_downloads_one_pdf(
    demo_site, new_page, settings
):
    import io

    from pypdf import PdfReader

    from tests.task_queue import DATABASE_QUEUE, run_worker

    settings.TASKS = DATABASE_QUEUE  # the PDF comes from the worker
    visitor = new_page(width=390)
    visitor.goto(f"{demo_site}/practices/?q=young+people")
    titles = []
    for n in range(3):
        card = visitor.locator(".result-card").nth(n)
        titles.append(card.locator(".card-title").inner_text())
        card.get_by_role("button", name="Add to shortlist").click()
        expect(visitor.get_by_text("is on your shortlist.")).to_be_visible()
    visitor.get_by_role("link", name="Shortlist (3)").click()
    table = visitor.locator("table.comparison")
    for title in titles:
        expect(table.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(table.get_by_role("rowheader", name="Evidence", exact=True)).to_be_visible()
    screenshot(visitor, "shortlist-compare")
    visitor.get_by_role("link", name="Download the shortlist as one PDF").click()
    expect(visitor.get_by_role("heading", name="Your PDF is being prepared")).to_be_visible()
    with visitor.expect_download(timeout=30_000) as download_info:
        run_worker()
    data = Path(download_info.value.path()).read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for title in titles:
        assert title.split()[0] in text


def test_a_ghent_editor_adapts_a_mechelen_practice_and_it_shows_once_approved(demo_site, new_page):
    from django.contrib.auth import get_user_model

    from practices.models import AdaptationPage
    from tests.factories import CityPageFactory

    from .conftest import DEMO_PASSWORD

    ghent = CityPageFactory(title="Ghent")
    editor_account = get_user_model().objects.create_user(
        "ghent-editor", "editor@ghent.example", DEMO_PASSWORD
    )
    editor_account.groups.set([ghent.editor_group_link.group])
    original = PracticePage.objects.get(title__startswith="Online safe space: a gaming")

    editor = new_page()
    sign_in(editor, demo_site, "ghent-editor", admin=True)
    open_new_page_form(editor, f"{demo_site}/admin/pages/add/practices/adaptationpage/{ghent.pk}/")
    editor.fill("#id_title", "Gaming tournaments in Ghent")
    editor.press("#id_title", "Tab")
    editor.locator("#id_original-chooser").get_by_role("button").first.click()
    modal = editor.locator(".modal-content")
    modal.get_by_role("textbox", name="Search term").fill("gaming tournament")
    modal.get_by_role("link", name=original.title).click()
    expect(editor.locator("#id_original-chooser")).to_contain_text("Online safe space")
    editor.locator("[data-contentpath='what_adapted'] [contenteditable='true']").click()
    editor.keyboard.type("We run the tournaments with our youth centres, four times a year.")
    # Draftail writes its field's value a moment after the last key, as it would for a person.
    expect(editor.locator("input[name=what_adapted]")).to_have_value(re.compile("youth centres"))
    screenshot(editor, "admin-adaptation-editor")
    submit_new_page_for_review(editor)
    assert "submitted for moderation" in editor.content()
    report = AdaptationPage.objects.get(title="Gaming tournaments in Ghent")
    assert not report.live

    visitor = new_page()
    visitor.goto(f"{demo_site}{original.url}")
    expect(visitor.get_by_text("Adapted in")).to_have_count(0)

    curator = new_page()
    sign_in(curator, demo_site, "curator", admin=True)
    row = curator.locator("tr", has_text="Gaming tournaments in Ghent")
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Approve and publish", exact=True).click()
    curator.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.live

    visitor.goto(f"{demo_site}{original.url}")
    expect(visitor.get_by_text("Adapted in one city:")).to_be_visible()
    visitor.get_by_role("link", name="Ghent", exact=True).last.click()
    expect(visitor.get_by_role("heading", name="Gaming tournaments in Ghent")).to_be_visible()
    expect(visitor.get_by_text("We run the tournaments with our youth centres")).to_be_visible()
    screenshot(visitor, "adaptation-page")
    visitor.goto(f"{demo_site}/practices/?adapted=yes")
    expect(visitor.locator(".result-card")).to_have_count(1)
    expect(visitor.get_by_role("link", name=original.title)).to_be_visible()


def test_a_member_saves_a_search_and_the_digest_brings_the_new_matching_practice(
    demo_site, new_page, settings
):
    from datetime import timedelta

    from django.core import mail
    from django.core.management import call_command
    from django.utils import timezone

    from practices.models import KeyTheme, SavedSearch
    from tests.factories import PracticePageFactory
    from tests.task_queue import DATABASE_QUEUE, run_worker

    settings.TASKS = DATABASE_QUEUE  # the digest goes through the real worker
    theme = KeyTheme.objects.get(label="Internet and radicalisation")
    member = new_page(width=390)
    sign_in(member, demo_site, "member")
    member.goto(f"{demo_site}/practices/?theme={theme.slug}")
    member.get_by_label("Every month").check()
    member.get_by_role("button", name="Save this search").click()
    expect(
        member.get_by_text("Search saved: Key theme: Internet and radicalisation")
    ).to_be_visible()
    screenshot(member, "saved-search")
    saved = SavedSearch.objects.get()
    assert saved.frequency == "monthly"
    # A month later a new practice on that theme is published.
    SavedSearch.objects.update(created_at=timezone.now() - timedelta(days=31))
    practice = PracticePageFactory(title="Counter-narratives with local influencers")
    practice.key_themes.add(theme)
    practice.save_revision().publish()
    call_command("send_search_digests", stdout=io.StringIO())
    assert mail.outbox == []  # queued, not sent by the command
    run_worker()
    (digest,) = mail.outbox
    assert digest.to == [saved.user.email]
    assert "Counter-narratives with local influencers" in digest.body
    # Its unsubscribe link works in a browser that is not signed in.
    link = re.search(r"Stop this e-mail: \S+(/searches/unsubscribe/\S+)", digest.body).group(1)
    stranger = new_page()
    stranger.goto(f"{demo_site}{link}")
    stranger.get_by_role("button", name="Stop the e-mails").click()
    expect(stranger.get_by_text("you get no more e-mails for this search")).to_be_visible()
    assert not SavedSearch.objects.exists()


def test_a_phone_visitor_sees_results_first_opens_the_filters_and_ticks_two(demo_site, new_page):
    visitor = new_page(width=390, height=844)
    visitor.goto(f"{demo_site}/practices/?q=online")
    # One search box on the search page (the header's is left out), results above the fold.
    assert visitor.locator("input[type=search]").count() == 1
    first_result = visitor.locator(".result-list > li").first
    assert first_result.bounding_box()["y"] < 844
    filters = visitor.locator("details.filters-disclosure")
    assert filters.get_attribute("open") is None
    summary = visitor.locator(".filters-summary")
    assert summary.inner_text() == "Filters (0)"
    count_before = visitor.locator("#results-heading").inner_text()
    screenshot(visitor, "search-phone")

    summary.click()
    theme = visitor.locator("#facet-theme-local-strategiescities")
    box = theme.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    theme.check()
    visitor.wait_for_url("**theme=local-strategiescities*")
    # The panel stays open across the reload, with focus back on the box just ticked.
    assert visitor.locator("details.filters-disclosure").get_attribute("open") is not None
    assert theme.evaluate("element => element === document.activeElement")
    visitor.locator("#facet-country-be").check()
    visitor.wait_for_url("**country=be*")
    assert visitor.locator(".filters-summary").inner_text() == "Filters (2)"
    screenshot(visitor, "search-phone-filters-open")
    # The open panel meets WCAG 2.1 AA as well as the folded page does.
    violations = Axe().run(visitor, options=WCAG_AA).response["violations"]
    assert [violation["id"] for violation in violations] == []

    show = visitor.get_by_role("button", name="Show 1 practice")
    show.click()
    assert visitor.locator("details.filters-disclosure").get_attribute("open") is None
    count_after = visitor.locator("#results-heading").inner_text()
    assert count_after != count_before and count_after.startswith("1 practice")
    assert visitor.locator("#results-heading").evaluate(
        "element => element === document.activeElement"
    )
    assert visitor.locator(".result-list > li").count() == 1

    # Sort applies on change too, with no Sort button.
    assert not visitor.get_by_role("button", name="Sort").is_visible()
    visitor.select_option("#id_sort", "title")
    visitor.wait_for_url("**sort=title*")
    assert "country=be" in visitor.url


DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def docs_screenshot(target, name):
    """A screenshot for docs/editing.md (a page, or one element of it), looked at by people."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=DOCS_SCREENSHOTS / f"{name}.png")


def test_a_first_time_city_editor_is_guided_fixes_every_error_at_once_and_resubmits(
    demo_site, new_page
):
    from django.contrib.auth import get_user_model
    from wagtail.models import WorkflowState

    from tests.factories import CityPageFactory

    from .conftest import DEMO_PASSWORD

    title = "Dialogue tables in Leuven"
    leuven = CityPageFactory(title="Leuven", country="BE")
    account = get_user_model().objects.create_user(
        "leuven-editor", "editor@leuven.example", DEMO_PASSWORD, first_name="Lena"
    )
    account.groups.set([leuven.editor_group_link.group])

    # A first-time editor's dashboard says where to start.
    editor = new_page()
    sign_in(editor, demo_site, "leuven-editor", admin=True)
    panel = editor.locator(".practices-city-editor")
    expect(panel).to_contain_text("Your city: Leuven")
    expect(panel.get_by_role("link", name="Edit your city's profile")).to_be_visible()
    docs_screenshot(editor, "editor-dashboard-first-time")
    panel.get_by_role("link", name="Add a practice").click()
    editor.wait_for_url(f"**/admin/pages/add/practices/practicepage/{leuven.pk}/")
    # A year out of bounds first: no draft is valid then, so Wagtail's autosave cannot create
    # the page while the editor works, and the failed submit below stays on this form.
    editor.fill("#id_start_year", "1900")

    # The rules are there before anything goes wrong.
    themes_help = editor.get_by_text("Choose exactly 2 key themes. Required to submit for review.")
    expect(themes_help).to_be_visible()
    expect(
        editor.get_by_text("Choose at least one. Required to submit for review.")
    ).to_be_visible()
    expect(editor.locator("[data-practice-error-summary]")).to_have_count(0)
    # Below the editor's sticky header: the themes' heading, the rule, the choices.
    editor.get_by_text("Key themes and target audience").evaluate(
        "heading => { heading.scrollIntoView({ block: 'start' }); window.scrollBy(0, -70); }"
    )
    docs_screenshot(editor, "editor-help")

    # Cities are picked from a type-ahead.
    cities = editor.get_by_role("combobox", name="Cities")
    cities.evaluate("box => box.scrollIntoView({ block: 'center' })")
    cities.fill("e")
    expect(editor.get_by_role("option", name="Mechelen (Belgium)")).to_be_visible()
    cities.fill("euv")
    suggestion = editor.get_by_role("option", name="Leuven (Belgium)")
    expect(suggestion).to_be_visible()
    cities.fill("e")  # the open list with both cities, for the docs
    docs_screenshot(editor, "editor-typeahead")
    cities.fill("euv")
    suggestion.click()
    expect(editor.locator(".practice-typeahead__chosen").first).to_contain_text("Leuven")

    # Several mistakes at once: no description, one theme, no audience, a year out of bounds.
    editor.fill("#id_title", title)
    editor.press("#id_title", "Tab")
    editor.get_by_label("Social cohesion and polarisation").check()
    editor.click("footer button[name=action-submit]")
    editor.wait_for_load_state("networkidle")

    summary = editor.locator("[data-practice-error-summary]")
    expect(summary).to_contain_text("Not submitted for review: 4 problems to fix")
    for error in (
        "Description: This field is required.",
        "Key themes: Choose exactly 2 key themes (1 chosen).",
        "Target audiences: Choose at least one target audience.",
        "Start year: Enter a year from 1950 to",
    ):
        expect(summary.get_by_role("link", name=re.compile(re.escape(error)))).to_be_visible()
    # One message: Wagtail's own "could not be saved" and "Go to the first error" are gone,
    # and what autosave kept is said, not contradicted.
    expect(editor.get_by_text("could not be saved")).to_have_count(0)
    expect(editor.get_by_role("button", name="Go to the first error")).to_have_count(0)
    expect(editor.get_by_text("click save to highlight them")).to_have_count(0)
    docs_screenshot(editor, "editor-error-summary")

    # A link opens the tab that holds its field, from any tab.
    editor.get_by_role("tab", name="Curation").click()
    expect(editor.locator("#id_target_audiences")).to_be_hidden()
    summary.get_by_role("link", name=re.compile("Target audiences")).click()
    expect(editor.get_by_role("tab", name="Practice")).to_have_attribute("aria-selected", "true")
    expect(editor.get_by_label("Authorities")).to_be_focused()

    # Fixed and submitted. Autosave paused at the refused year (its indicator says so) and
    # waits for a manual save, so the submit below is the only request that creates the page.
    editor.get_by_label("Authorities").check()
    summary.get_by_role("link", name=re.compile("Key themes")).click()
    expect(editor.locator("#id_key_themes_0")).to_be_focused()
    editor.get_by_label("Local strategies/cities").check()
    summary.get_by_role("link", name=re.compile("Description")).click()
    description = editor.locator("[data-contentpath='description'] [contenteditable='true']")
    expect(description).to_be_focused()
    editor.keyboard.type("Neighbours meet at dialogue tables to prevent polarisation.")
    expect(editor.locator("input[name=description]")).to_have_value(re.compile("dialogue"))
    summary.get_by_role("link", name=re.compile("Start year")).click()
    expect(editor.locator("#id_start_year")).to_be_focused()
    editor.fill("#id_start_year", "2021")
    indicator = editor.locator("#w-autosave-indicator")
    expect(indicator).to_have_attribute("data-w-autosave-state-value", "paused")
    editor.click("footer button[name=action-submit]")
    editor.wait_for_load_state("networkidle")
    expect(editor.get_by_text("What happens next: the Curators review")).to_be_visible()
    practice = PracticePage.objects.get(title=title)
    assert practice.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert practice.get_latest_revision_as_object().start_year == 2021

    # The curator asks for a change, with a comment.
    comment = "Please name the partner organisations that host the tables."
    curator = new_page()
    sign_in(curator, demo_site, "curator", admin=True)
    row = curator.locator("tr", has_text=title)
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Request changes", exact=True).click()
    curator.get_by_label("Comment for the editors").fill(comment)
    curator.locator(".modal-content").get_by_role("button", name="Request changes").click()
    curator.wait_for_load_state("networkidle")
    practice.refresh_from_db()
    assert practice.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES

    # The editor finds it on their dashboard and sees the comment on the edit page.
    editor.goto(f"{demo_site}/admin/")
    row = editor.locator(".practices-city-editor tr", has_text=title)
    expect(row).to_contain_text("Changes requested")
    row.get_by_role("link", name=title).click()
    banner = editor.locator(".messages .practices-change-request")
    expect(banner).to_contain_text("Changes requested by")
    expect(banner).to_contain_text(comment)
    editor.locator("[data-contentpath='description'] [contenteditable='true']").click()
    editor.keyboard.press("End")
    editor.keyboard.type(" The youth centre and the library host them.")
    expect(editor.locator("input[name=description]")).to_have_value(re.compile("library"))
    editor.get_by_role("button", name="Resubmit").click()
    editor.wait_for_load_state("networkidle")
    practice.refresh_from_db()
    assert practice.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert "library" in practice.get_latest_revision_as_object().description

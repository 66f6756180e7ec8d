"""Hostile files, sent the ways the authoring pages offer: each gets a clear message on a styled
page, no script runs, the app keeps working, and nothing is written.

Too large: a 10 MB lesson pasted into the editor, uploaded as a GIFT file, inside a course zip,
and past the upload limit (413). Wrong encoding: Latin-1, UTF-16 with a BOM and stray bytes in a
course zip, and a GIFT file saved in Windows-1252. The 10 MB text is made once, in memory."""
from __future__ import annotations

import io
import uuid
import zipfile
from functools import cache

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import audit, sign_in
from tests.e2e.test_hostile_content import _watch
from trainer.extensions import db
from trainer.models import Course, CourseDraft, CourseVersion, Module, StoredImage
from trainer.services import accounts, authoring

ADMIN = ("admin@example.org", "demo-admin-lantern-harbour")
PASSWORD = "harbour-lantern-violet-42"
MB = 1024 * 1024
SCRIPT = "<script>window.__pwned = 1; alert('file')</script>"
LESSON_HEAD = """---
id: huge
kind: lesson
title: A huge lesson
overview: Ten megabytes of text.
intensity: light
objectives:
  - Stay small.
---

"""


@cache
def huge_lesson() -> str:
    """A lesson of just over 10 MB, with a script in every paragraph."""
    paragraph = f"A paragraph repeated until the lesson weighs ten megabytes. {SCRIPT}\n\n"
    return LESSON_HEAD + paragraph * (10 * MB // len(paragraph) + 1)


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _course_md(slug: str, modules: list[str]) -> str:
    listed = "\n".join(f"  - {name!r}" if "<" in name else f"  - {name}" for name in modules)
    return (f"---\nid: {slug}\ntitle: Hostile files\nsummary: Files that must be refused.\nlanguage: en\n"
            f"sectors: [police]\nestimated_minutes: 5\nmodules:\n{listed}\n---\n\nAn introduction.\n")


def _new_draft(live_server) -> str:
    """A new course with its first draft, made the way the "Create course" button does."""
    slug = f"files-{uuid.uuid4().hex[:8]}"
    with live_server.app.app_context():
        authoring.create_course(accounts.get_by_email(ADMIN[0]), slug, "Hostile files", "en")
        db.session.commit()
    return slug


def _stored(live_server, slug: str) -> dict:
    """Row counts of everything an import or a save writes, and the draft's files."""
    with live_server.app.app_context():
        counts = {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                  for model in (Course, CourseVersion, CourseDraft, Module, StoredImage)}
        draft = db.session.scalar(sa.select(CourseDraft).join(Course).where(Course.slug == slug))
        return {**counts, "files": dict(draft.sources), "images": dict(draft.images)}


@pytest.fixture
def dutch_admin(context_factory, live_server):
    """A page signed in as a new administrator who reads Dutch, so messages show translated."""
    email = f"beheer-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        accounts.register(email, PASSWORD, accounts.Profile(
            name="Noor Beheer", organisation="", sector="community", specialty=None, is_resident=False,
            locale="nl", timezone="Europe/Amsterdam"), roles=("admin",))
        db.session.commit()
    page = context_factory().new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Uitloggen").wait_for()
    return page


def _paste(textarea, text: str) -> None:
    """Put the text in at once, as a paste does (typing 10 MB key by key takes minutes)."""
    textarea.evaluate("(el, text) => { el.value = text; el.dispatchEvent(new Event('input', {bubbles: true})); }",
                      text)


def _assert_inert(page, events) -> None:
    assert page.evaluate("() => window.__pwned") is None, page.url
    assert events == [], events


def test_a_10_mb_lesson_pasted_into_the_editor_is_refused_in_the_readers_language(dutch_admin, live_server):
    page, slug = dutch_admin, _new_draft(live_server)
    before = _stored(live_server, slug)
    events = _watch(page)
    page.goto(f"/authoring/courses/{slug}/files/01-introduction.md")
    page.wait_for_load_state("load")  # the editor's script is deferred
    _paste(page.get_by_label("Markdown"), huge_lesson())
    # The live check says so at once, without sending 10 MB to the server.
    expect(page.locator("#problems")).to_have_text("Het bestand is groter dan 1 MB. Splits de module in tweeën.")
    with page.expect_navigation():  # to the fully loaded answer
        page.get_by_role("button", name="Opslaan in concept").click()
    # Plain reads, not expect(): a failed expect() would print the page's 10 MB text.
    assert page.locator("#text-error").inner_text() == "Het bestand is groter dan 1 MB. Splits de module in tweeën."
    assert page.locator("#text").get_attribute("aria-invalid") == "true"
    # Refused text is neither checked nor previewed (that took 15 s and made a 56 MB page listing
    # every line); it is only shown again, so nothing typed is lost.
    assert page.locator("#preview").inner_text() == "" and page.locator("#problems").inner_text() == ""
    assert len(page.content()) < 13 * MB
    assert len(page.locator("#text").input_value()) == len(huge_lesson())
    _assert_inert(page, events)
    assert _stored(live_server, slug) == before
    # The app keeps working: the draft is as it was, and a normal save goes through.
    page.goto(f"/authoring/courses/{slug}")
    page.get_by_role("link", name="01-introduction.md").click()
    source = page.get_by_label("Markdown").input_value()
    page.get_by_label("Markdown").fill(source + "\nOne more line.\n")
    page.get_by_role("button", name="Opslaan in concept").click()
    expect(page.get_by_text("Opgeslagen in het concept.")).to_be_visible()
    audit(page)
    _assert_inert(page, events)


def test_a_10_mb_lesson_as_a_gift_file_a_zip_or_past_the_upload_limit_is_refused(dutch_admin, live_server,
                                                                                 monkeypatch):
    page, slug = dutch_admin, _new_draft(live_server)
    before = _stored(live_server, slug)
    events = _watch(page)
    data = huge_lesson().encode("utf-8")

    # As a GIFT file: refused whole, never cut at 1 MB and converted.
    page.goto(f"/authoring/courses/{slug}")
    page.get_by_label("GIFT-bestand uit Moodle").set_input_files(
        {"name": "huge.gift", "mimeType": "text/plain", "buffer": data})
    page.get_by_label("Bestandsnaam van de nieuwe module").fill("02-huge")
    page.get_by_label("Titel van de module").fill("Huge")
    page.get_by_role("button", name="Omzetten naar een quizmodule").click()
    expect(page.locator(".flash-error")).to_have_text("Het bestand is groter dan 1 MB. Splits de module in tweeën.")
    audit(page)
    _assert_inert(page, events)

    # Inside a course zip (deflated to a few kilobytes, so the declared size is what counts).
    archive = _zip({"huge/course.md": _course_md("huge", ["01-huge.md"]).encode(), "huge/01-huge.md": data})
    page.goto("/authoring/courses")
    page.get_by_label("Zipbestand van de cursus", exact=True).set_input_files(
        {"name": "huge.zip", "mimeType": "application/zip", "buffer": archive})
    page.get_by_role("button", name="Controleren en importeren").click()
    expect(page.locator(".flash-error")).to_have_text("huge/01-huge.md is groter dan 2 MB.")
    audit(page)

    # Past the upload limit (lowered to 8 MB for this): the site's styled 413 page.
    monkeypatch.setitem(live_server.app.config, "MAX_CONTENT_LENGTH", 8 * MB)
    page.get_by_label("Zipbestand van de cursus", exact=True).set_input_files(
        {"name": "huge.zip", "mimeType": "application/zip", "buffer": _zip(
            {"huge/01-huge.md": data}, zipfile.ZIP_STORED)})
    page.get_by_role("button", name="Controleren en importeren").click()
    expect(page.get_by_role("heading", name="Dat bestand is te groot")).to_be_visible()
    expect(page.get_by_text("Kies een kleiner bestand en probeer het opnieuw.")).to_be_visible()
    assert page.locator("link[rel=stylesheet]").count() >= 1  # the site's own page, not a bare error
    audit(page)
    _assert_inert(page, events)

    monkeypatch.undo()
    assert _stored(live_server, slug) == before
    page.goto(f"/authoring/courses/{slug}")  # still working, the draft as it was
    expect(page.get_by_role("link", name="01-introduction.md")).to_be_visible()
    assert page.get_by_role("link", name="02-huge.md").count() == 0


def _latin1_and_friends(slug: str) -> dict[str, bytes]:
    """A zip of two courses: one whose course.md is Latin-1, one whose modules are each wrongly encoded."""
    hostile_name = '<img src=x onerror="window.__pwned=2">.md'
    lesson = LESSON_HEAD.replace("id: huge", "id: {id}") + f"Café, naïve, {SCRIPT}\n\nÉtape deux.\n"
    return {
        f"{slug}-latin/course.md": _course_md(f"{slug}-latin", ["01-a.md"]).replace(
            "An introduction.", "Une introduction: café.").encode("latin-1"),
        f"{slug}-latin/01-a.md": lesson.format(id="a").encode("utf-8"),
        f"{slug}/course.md": _course_md(slug, ["01-utf16.md", "02-stray.md", hostile_name]).encode("utf-8"),
        f"{slug}/01-utf16.md": lesson.format(id="utf16").encode("utf-16"),  # with its BOM
        f"{slug}/02-stray.md": lesson.format(id="stray").encode("utf-8").replace(b"deux", b"d\xffeux"),
        f"{slug}/{hostile_name}": lesson.format(id="hostile").encode("latin-1"),
    }


def test_files_in_a_wrong_encoding_get_the_checkers_message_and_stay_inert(page, live_server):
    slug = f"enc-{uuid.uuid4().hex[:8]}"
    events = _watch(page)
    sign_in(page, *ADMIN)
    with live_server.app.app_context():
        courses_before = db.session.scalar(sa.select(sa.func.count()).select_from(Course))
    page.get_by_role("link", name="Authoring").click()
    page.get_by_label("Course zip", exact=True).set_input_files(
        {"name": "encodings.zip", "mimeType": "application/zip", "buffer": _zip(_latin1_and_friends(slug))})
    page.get_by_role("button", name="Check and import").click()

    report = page.get_by_role("alert")
    expect(report).to_contain_text("Nothing was imported.")
    message = "file is not UTF-8 text (save it as UTF-8)"
    stray_line = LESSON_HEAD.count("\n") + 3  # the line with "d\xffeux"
    for place in (f"{slug}-latin/course.md:1", f"{slug}/01-utf16.md:1", f"{slug}/02-stray.md:{stray_line}",
                  f'{slug}/<img src=x onerror="window.__pwned=2">.md:'):
        expect(report.locator("li").filter(has_text=place)).to_contain_text(message)
    assert page.locator("main img").count() == 0  # the file name is shown as text
    audit(page)
    _assert_inert(page, events)
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == courses_before

    # A GIFT bank saved by a Windows editor in cp1252: refused with the reason, not imported as "caf�".
    draft_slug = _new_draft(live_server)
    before = _stored(live_server, draft_slug)
    gift = (f"::Tea::{SCRIPT} Which one is a “hot drink”?{{\n=Café au lait\n~Iced tea\n}}\n"
            "\n::Fact::A café serves coffee.{T}\n").encode("cp1252")
    page.goto(f"/authoring/courses/{draft_slug}")
    page.get_by_label("GIFT file from Moodle").set_input_files(
        {"name": "bank.gift", "mimeType": "text/plain", "buffer": gift})
    page.get_by_label("New module file name").fill("02-bank")
    page.get_by_label("Module title").fill("Bank")
    page.get_by_role("button", name="Convert to a quiz module").click()
    expect(page.locator(".flash-error")).to_have_text(
        "The file is not UTF-8 text (line 1). Save it as UTF-8 and try again.")
    audit(page)
    _assert_inert(page, events)
    assert _stored(live_server, draft_slug) == before

    # The same bank saved as UTF-8, with the BOM Windows adds, converts cleanly.
    page.get_by_label("GIFT file from Moodle").set_input_files(
        {"name": "bank.gift", "mimeType": "text/plain", "buffer": gift.decode("cp1252").encode("utf-8-sig")})
    page.get_by_label("New module file name").fill("02-bank")
    page.get_by_label("Module title").fill("Bank")
    page.get_by_role("button", name="Convert to a quiz module").click()
    expect(page.get_by_role("status")).to_contain_text("2 questions converted into 02-bank.md.")
    page.get_by_role("link", name="Open the new module").click()
    assert "Café au lait" in page.get_by_label("Markdown").input_value()
    assert "\ufeff" not in page.get_by_label("Markdown").input_value()
    _assert_inert(page, events)

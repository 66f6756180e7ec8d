"""Hostile course text and hostile names, rendered in a real browser: no script ever runs.

A page under attack would open a dialog, write to the console, or change window.__pwned;
the test listens for all three while visiting every place the text shows up."""
from __future__ import annotations

import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import audit, sign_in
from trainer.extensions import db
from trainer.services import accounts, publishing

PAYLOADS = "\n\n".join([
    "<script>window.__pwned = 1; alert('script')</script>",
    "<img src=x onerror=\"window.__pwned = 2; alert('img')\">",
    # Markdown links to javascript: or data: are refused by `courses check` (tests/content/test_links.py);
    # the same links written as HTML get past it to the renderer, whose allow-list must drop them.
    "<a href=\"javascript:window.__pwned=3\">click me</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data link</a>",
    "<svg onload=\"window.__pwned = 4\"><circle r=10></circle></svg>",
    "<iframe src=\"javascript:parent.__pwned=5\"></iframe>",
    "<!-- a comment <script>window.__pwned = 6</script> -->",
    "<div style=\"position:fixed;inset:0;background:red\">cover</div>",
    "<<b>nested</b> <i>malformed <u>tags</i>",
    "Zero\u200bwidth\u200bspaces and a right-to-left \u202eoverride",
    "| a | b |\n|---|---|\n" + "\n".join("| x | y |" for _ in range(300)),
    "\n".join("  " * i + "- deep" for i in range(40)),
])

COURSE_MD = """---
id: hostile
title: "Hostile <script>window.__pwned=7</script> course"
summary: A course full of things that must stay inert.
language: en
sectors: [health, police, counselling, community]
estimated_minutes: 5
modules:
  - 01-hostile.md
---

Intro <img src=x onerror="window.__pwned=8">
"""

MODULE_MD = """---
id: hostile-lesson
kind: lesson
title: "Lesson <img src=x onerror=alert(9)>"
overview: Everything here must be shown as inert text.
intensity: light
objectives:
  - Stay inert.
references:
  - "<script>window.__pwned=10</script> <a href='javascript:alert(10)'>ref</a>"
---

## Payloads {#payloads}

""" + PAYLOADS + "\n"


def _publish_hostile_course(live_server, tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "course.md").write_text(COURSE_MD, encoding="utf-8")
    (folder / "01-hostile.md").write_text(MODULE_MD, encoding="utf-8")
    with live_server.app.app_context():
        result = publishing.import_path(folder)
        assert result.ok, [str(p) for p in result.report.problems]
        db.session.commit()


def _watch(page) -> list[str]:
    events: list[str] = []
    page.on("dialog", lambda dialog: (events.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda msg: events.append(f"console: {msg.text}") if "pwned" in msg.text else None)
    return events


def test_hostile_course_text_never_runs(page, live_server, tmp_path):
    _publish_hostile_course(live_server, tmp_path)
    events = _watch(page)
    sign_in(page, "resident@example.org", "demo-resident-violet-kettle")
    for path in ("/courses", "/courses/hostile", "/courses/hostile/hostile-lesson",
                 "/courses/hostile/hostile-lesson/print"):
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__pwned") is None, path
    page.goto("/courses/hostile/hostile-lesson")
    expect(page.get_by_text("cover")).to_be_visible()  # shown as text, not a full-screen overlay
    assert page.locator("main iframe, main svg, main script").count() == 0
    assert page.locator("a[href^='javascript'], a[href^='data:']").count() == 0
    audit(page)
    assert events == [] and page.csp_errors == []


def test_hostile_names_are_shown_inertly_everywhere(page, context_factory, live_server):
    hostile = '<img src=x onerror="window.__pwned=11">=HYPERLINK("x")\u202e'
    email = f"hostile-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        accounts.register(email, "harbour-lantern-violet-42", accounts.Profile(
            name=hostile, organisation="<script>window.__pwned=12</script>", sector="police", specialty=None,
            is_resident=False, locale=None, timezone="UTC"))
        db.session.commit()
    events = _watch(page)
    sign_in(page, email, "harbour-lantern-violet-42")
    for path in ("/", "/profile"):
        page.goto(path)
        assert page.evaluate("() => window.__pwned") is None, path
    admin = context_factory().new_page()
    admin_events = _watch(admin)
    sign_in(admin, "admin@example.org", "demo-admin-lantern-harbour")
    admin.goto("/admin/users?q=hostile")
    expect(admin.get_by_text('=HYPERLINK("x")', exact=False)).to_be_visible()
    assert admin.evaluate("() => window.__pwned") is None
    assert events == [] and admin_events == []

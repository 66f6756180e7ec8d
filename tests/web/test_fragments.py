"""Parts of pages rendered once for everyone and kept (trainer/fragments.py): what changes in the
data, the language or the reader is never served from an earlier rendering."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.web.test_referrals import YAML, _import
from trainer.extensions import db
from trainer.lru import LRUCache
from trainer.models import Referral

LESSON = "/courses/core/what-it-is"


@pytest.fixture
def courses_folder(tmp_path):
    import shutil

    from tests.conftest import GOOD_COURSE

    shutil.copytree(GOOD_COURSE, tmp_path / "core")
    (tmp_path / "referrals.yaml").write_text(YAML)
    return tmp_path


def _who_to_call(page: str) -> str:
    start = page.index('class="who-to-call"')
    return page[start:page.index("</details>", start)]


def test_the_cache_is_bounded_and_keeps_the_most_recently_used():
    cache = LRUCache(size=2)
    renders = []

    def render(text):
        return lambda: renders.append(text) or f"<p>{text}</p>"

    assert cache.get("a", render("a")) == "<p>a</p>"
    cache.get("b", render("b"))
    assert cache.get("a", render("again")) == "<p>a</p>"  # kept: not rendered again
    cache.get("c", render("c"))  # "b" was used least recently: it goes
    assert len(cache) == 2
    assert cache.get("b", render("b, new")) == "<p>b, new</p>"
    assert renders == ["a", "b", "c", "b, new"]


def test_a_kept_none_is_kept_and_not_made_again():
    """A quiz without a draw rule keeps None: the cache must not take it for a miss."""
    cache, made = LRUCache(size=2), []
    assert cache.get("draw", lambda: made.append(1)) is None
    assert cache.get("draw", lambda: made.append(2)) is None
    assert made == [1]


def test_an_edited_phone_number_shows_at_once(client, app, courses_folder, make_user):
    _import(app, courses_folder)
    login(client, make_user())
    assert "033 448 11 86" in _who_to_call(client.get(LESSON).get_data(as_text=True))
    with app.app_context():
        db.session.execute(sa.update(Referral).where(Referral.name == "CoMensha")
                           .values(phone="088 000 00 00", checked=date(2026, 12, 1)))
        db.session.commit()
    box = _who_to_call(client.get(LESSON).get_data(as_text=True))
    assert "088 000 00 00" in box and "033 448 11 86" not in box
    assert "Dec 1, 2026" in box


def test_dutch_and_english_readers_each_get_their_own_list(app, courses_folder, make_user):
    _import(app, courses_folder)
    dutch, english = app.test_client(), app.test_client()
    login(dutch, make_user(locale="nl"))
    login(english, make_user(locale="en"))
    for _round in range(2):  # the second round is served from the cache
        box = _who_to_call(dutch.get(LESSON).get_data(as_text=True))
        assert "Wie bel je" in box and "gecontroleerd op 25 nov 2026" in box and "checked on" not in box
        assert box.index("CoMensha") < box.index("Canadian Human Trafficking Hotline")
        box = _who_to_call(english.get(LESSON).get_data(as_text=True))
        assert "Who to call" in box and "checked on Nov 25, 2026" in box and "gecontroleerd" not in box
        assert box.index("Canadian Human Trafficking Hotline") < box.index("CoMensha")


def _directory(page: str) -> str:
    start = page.index('id="directory-heading"')
    return page[start:page.index('id="exit-heading"', start)]


def test_the_support_directory_shows_an_edit_at_once_in_each_language(client, app, courses_folder, make_user):
    """The Support page's directory is kept too: an edited number, check date or Dutch description
    shows on the next visit, each reader sees their language, and a country filter its own list."""
    _import(app, courses_folder)
    dutch = app.test_client()
    login(dutch, make_user(locale="nl"))
    for _round in range(2):  # the second round is served from the cache
        assert "033 448 11 86" in _directory(client.get("/support").get_data(as_text=True))
        # The same entries in the same order, in two languages.
        for reader, checked in ((dutch, "Op 25 nov 2026 gecontroleerd via"), (client, "Checked on Nov 25, 2026")):
            listing = _directory(reader.get("/support?country=NL").get_data(as_text=True))
            assert checked in listing and "Canadian Human" not in listing
    with app.app_context():
        db.session.execute(sa.update(Referral).where(Referral.name == "CoMensha")
                           .values(phone="088 000 00 00", checked=date(2026, 12, 1),
                                   descriptions={"nl": "Landelijk coördinatiecentrum."}))
        db.session.commit()
    english = _directory(client.get("/support").get_data(as_text=True))
    assert "088 000 00 00" in english and "033 448 11 86" not in english and "Dec 1, 2026" in english
    assert "Landelijk" not in english
    assert "Landelijk coördinatiecentrum." in _directory(dutch.get("/support").get_data(as_text=True))


# --- the lesson's text -------------------------------------------------------------------------

NOTED = "sexual-exploitation"


def _section(page: str, section_id: str) -> str:
    return page.split(f'id="section-{section_id}"')[1].split("</section>")[0]


def test_a_new_version_of_the_course_shows_its_new_text(client, app, courses_folder, make_user):
    _import(app, courses_folder)
    login(client, make_user())
    assert "The legal definition" in client.get(LESSON).get_data(as_text=True)
    lesson = courses_folder / "core" / "01-what-it-is.md"
    lesson.write_text(lesson.read_text().replace("## The legal definition", "## What the law says"))
    _import(app, courses_folder)
    heading = _section(client.get(LESSON).get_data(as_text=True), "definition")
    assert "What the law says" in heading and "The legal definition" not in heading


def test_dutch_and_english_lesson_labels_do_not_mix(app, courses_folder, make_user):
    _import(app, courses_folder)
    dutch, english = app.test_client(), app.test_client()
    login(dutch, make_user(locale="nl"))
    login(english, make_user(locale="en"))
    for _round in range(2):
        noted = _section(dutch.get(LESSON).get_data(as_text=True), NOTED)
        assert "Inhoudswaarschuwing:" in noted and "Voorlopig overslaan" in noted and "Skip for now" not in noted
        noted = _section(english.get(LESSON).get_data(as_text=True), NOTED)
        assert "Content note:" in noted and "Skip for now" in noted and "Voorlopig" not in noted


def test_one_learners_choices_and_token_never_show_for_another(app, courses_folder, make_user, monkeypatch):
    _import(app, courses_folder)
    first, second = app.test_client(), app.test_client()
    login(first, make_user())
    login(second, make_user())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    tokens = {}
    for name, client in (("first", first), ("second", second)):
        page = client.get(LESSON).get_data(as_text=True)
        tokens[name] = page.split('data-csrf-token="')[1].split('"')[0]
        assert f'name="csrf_token" value="{tokens[name]}"' in _section(page, NOTED)
    assert tokens["first"] != tokens["second"]
    answer = first.post(f"{LESSON}/sections/{NOTED}", data={"action": "skip", "csrf_token": tokens["first"]})
    assert answer.status_code == 302
    assert "You skipped this section for now" in _section(first.get(LESSON).get_data(as_text=True), NOTED)
    page = second.get(LESSON).get_data(as_text=True)
    noted = _section(page, NOTED)
    assert "You skipped this section for now" not in noted and "Skip for now" in noted
    assert tokens["first"] not in page  # the second learner's page carries only their own token
    token = page.split('data-csrf-token="')[1].split('"')[0]
    assert f'name="csrf_token" value="{token}"' in noted
    answer = second.post(f"{LESSON}/sections/{NOTED}", data={"action": "read", "csrf_token": token})
    assert answer.status_code == 302
    assert "Continue to the section" not in _section(second.get(LESSON).get_data(as_text=True), NOTED)


# --- the frame around a module: tools, outline, previous and next ------------------------------

def _outline_item(page: str, slug: str) -> str:
    outline = page[page.index('class="outline"'):]
    start = outline.index(f'href="/courses/core/{slug}"')
    return outline[outline.rindex("<li", 0, start):outline.index("</li>", start)]


def _tools(page: str) -> str:
    start = page.index('class="breadcrumb"')
    return page[start:page.index("</ul>", start)]


def test_the_outline_shows_each_learners_own_states_in_their_language(app, courses_folder, make_user):
    _import(app, courses_folder)
    dutch, english = app.test_client(), app.test_client()
    login(dutch, make_user(locale="nl"))
    login(english, make_user(locale="en"))
    dutch.get(LESSON)
    dutch.post(f"{LESSON}/sections/{NOTED}", data={"action": "read"})
    dutch.post(f"{LESSON}/complete")
    for _round in range(2):
        page = dutch.get(LESSON).get_data(as_text=True)
        item = _outline_item(page, "what-it-is")
        assert 'class="state-completed"' in item and "afgerond" in item and "completed" not in item.split(">", 1)[1]
        tools = _tools(page)
        assert "Mijn leertraject" in tools and "Pauze nemen" in tools and "Take a break" not in tools
        page = english.get(LESSON).get_data(as_text=True)
        item = _outline_item(page, "what-it-is")
        assert 'class="state-in-progress"' in item and "in progress" in item and "bezig" not in item
        assert 'aria-current="page"' in item
        tools = _tools(page)
        assert "My learning" in tools and "Take a break" in tools and "Pauze nemen" not in tools


def test_a_new_version_shows_its_titles_in_the_outline_and_the_links_between_modules(
        client, app, courses_folder, make_user):
    _import(app, courses_folder)
    login(client, make_user())
    quiz = "/courses/core/indicators-quiz"
    page = client.get(quiz).get_data(as_text=True)
    assert "Previous: What human trafficking is" in page
    assert "What human trafficking is" in _outline_item(page, "what-it-is")
    lesson = courses_folder / "core" / "01-what-it-is.md"
    lesson.write_text(lesson.read_text().replace("title: What human trafficking is", "title: Trafficking defined"))
    _import(app, courses_folder)
    for address in (quiz, "/courses/core"):
        page = client.get(address).get_data(as_text=True)
        assert "Trafficking defined" in _outline_item(page, "what-it-is")
        assert "What human trafficking is" not in page
    assert "Previous: Trafficking defined" in client.get(quiz).get_data(as_text=True)
    course_page = client.get("/courses/core").get_data(as_text=True)
    assert 'aria-current="page"' not in course_page[course_page.index('class="outline"'):]


# --- the site's header and footer ---------------------------------------------------------------

def _header(page: str) -> str:
    return page[page.index('class="skip-link"'):page.index('<main id="main"')]


def test_the_menu_follows_each_readers_roles_and_language(app, make_user):
    admin, learner, dutch = app.test_client(), app.test_client(), app.test_client()
    login(admin, make_user(roles=("admin",)))
    login(learner, make_user())
    login(dutch, make_user(locale="nl"))
    anonymous = app.test_client()
    for _round in range(2):
        assert "Audit log" in _header(admin.get("/support").get_data(as_text=True))
        header = _header(learner.get("/support").get_data(as_text=True))
        assert "Audit log" not in header and "Sign out" in header and "Uitloggen" not in header
        header = _header(dutch.get("/support").get_data(as_text=True))
        assert "Uitloggen" in header and "Sign out" not in header
        header = _header(anonymous.get("/support").get_data(as_text=True))
        assert "Sign out" not in header and "Create an account" in header


def test_the_headers_forms_carry_the_readers_token_and_page(app, make_user, monkeypatch):
    first, second = app.test_client(), app.test_client()
    login(first, make_user())
    login(second, make_user())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    tokens = {}
    for name, client, path in (("first", first, "/support"), ("second", second, "/support"),
                               ("second", second, "/courses?language=nl")):
        header = _header(client.get(path).get_data(as_text=True))
        found = set(re.findall(r'name="csrf_token" value="([^"]+)"', header))
        assert len(found) == 1 and "token-" not in header and "path-" not in header
        tokens[name] = found.pop()
        assert f'name="next" value="{path.replace("&", "&amp;")}"' in header
    assert tokens["first"] != tokens["second"]
    form = {"locale": "nl", "next": "/support"}
    assert first.post("/language", data={**form, "csrf_token": tokens["second"]}).status_code == 400
    assert first.post("/language", data={**form, "csrf_token": tokens["first"]}).status_code == 302

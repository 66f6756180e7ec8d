"""A cohort passes a case along in a real browser, in English and in Dutch: a trainer gives four
members one sector each, and each plays their chapter on a phone when its turn comes, from the
hand-off a colleague wrote, until the trainer runs the debrief. Every page is audited with axe and
nothing scrolls sideways."""
from __future__ import annotations

import html
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import audit, sign_in
from tests.e2e.test_phone_first import PHONE
from tests.e2e.test_trainer_everyday_journey import _fits, _words
from trainer.extensions import db
from trainer.models import Cohort, CohortCase, CohortMember, CohortTrainer, User
from trainer.services import accounts, cases, cohort_cases, scenarios

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "harbour-lantern-violet-42"
CASES = {"en": ("wraparound", "case-farm-worker"), "nl": ("wraparound-nl", "casus-mensenhandel")}


def _check(page) -> None:
    audit(page)
    _fits(page)


def _account(live_server, name: str, locale: str, sector: str, roles=("learner",)) -> tuple[int, str]:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        user = accounts.register(email, PASSWORD, accounts.Profile(
            name=name, organisation="Region", sector=sector, specialty=None, is_resident=False, locale=locale,
            timezone="UTC"), roles=roles, verified=True)
        db.session.commit()
        return user.id, email


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _next_move(live_server, case_id: int) -> tuple[str, list[str]]:
    """What a careful player does next: the label of the sensible choice, or ("", the labels of
    the items that belong in the hand-off)."""
    with live_server.app.app_context():
        case = db.session.get_one(CohortCase, case_id)
        _, module = cohort_cases.module_of(case)
        graph = scenarios.nodes(module)
        node = graph[case.current_node]
        if node.handoff:
            facts = set(case.facts or ())
            return "", [_text(item.text_html) for item in node.items if item.should_share(facts)]
        return _text(cases.sensible_choice(module, node, case).text_html), []


@pytest.mark.parametrize("language", ["en", "nl"])
def test_four_sectors_pass_a_case_along_and_the_trainer_runs_the_debrief(context_factory, live_server,
                                                                       case_courses, language):
    t, _ = _words(live_server, language)
    course_slug, module_slug = CASES[language]
    with live_server.app.app_context():
        chapters = next(cases.spec(m) for c, _, m in cohort_cases.playable()
                        if c.slug == course_slug and m.slug == module_slug).chapters
    trainer_id, trainer_email = _account(live_server, "Tamsin Trainer", language, "police", roles=("trainer",))
    players = [(_account(live_server, name, language, chapter.sector), chapter) for name, chapter in
               zip(("Noor Bakker", "Bram de Vries", "Eva Jansen", "Sami Haddad"), chapters, strict=True)]
    with live_server.app.app_context():
        cohort = Cohort(name=f"Ketenoefening {language}", join_code=uuid.uuid4().hex[:12],
                        trainers=[CohortTrainer(user_id=trainer_id, owner=True)])
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all(CohortMember(cohort_id=cohort.id, user_id=user_id) for (user_id, _), _ in players)
        db.session.commit()
        cohort_id = cohort.id

    browser_locale = "nl-NL" if language == "nl" else "en-GB"
    trainer = context_factory(locale=browser_locale).new_page()
    sign_in(trainer, trainer_email, PASSWORD, t)
    trainer.goto(f"/cohorts/{cohort_id}")
    trainer.get_by_role("link", name=t("Start a case for this cohort")).click()
    trainer.get_by_label(t("Case")).select_option(f"{course_slug}/{module_slug}")
    trainer.get_by_role("button", name=t("Choose the roles for this case")).click()
    for (user_id, _), chapter in players:
        trainer.locator(f"#role-{user_id}").select_option(chapter.id)
    _check(trainer)
    trainer.get_by_role("button", name=t("Start the case")).click()
    expect(trainer.get_by_text(t("The case has started. The members whose chapter comes first have been told.")))\
        .to_be_visible()
    _check(trainer)
    case_id = int(trainer.url.rsplit("/", 1)[1])

    for number, ((_, email), chapter) in enumerate(players, start=1):
        page = context_factory(locale=browser_locale, **PHONE).new_page()
        sign_in(page, email, PASSWORD, t)
        page.goto("/learning")
        expect(page.get_by_text(t("your chapter's turn"))).to_be_visible()
        page.locator(f"a[href='/my/cases/{case_id}']").click()
        expect(page.get_by_text(t("It is your chapter's turn."))).to_be_visible()
        if number > 1:
            expect(page.locator("#received-heading")).to_be_visible()
        _check(page)
        while True:
            with live_server.app.app_context():
                case = db.session.get_one(CohortCase, case_id)
                done = case.finished_at is not None or cohort_cases.current_chapter(
                    case, cohort_cases.module_of(case)[1]).id != chapter.id
            if done:
                break
            label, items = _next_move(live_server, case_id)
            if label:
                page.get_by_label(label, exact=True).check()
                page.get_by_role("button", name=t("Choose")).click()
            else:
                for item in items:
                    page.get_by_label(item, exact=True).check()
                page.get_by_role("button", name=t("Send the hand-off")).click()
            expect(page.locator("#step")).to_be_visible()
        if number < len(players):
            expect(page.get_by_role("heading", name=t("The case is with another sector"))).to_be_visible()
            _check(page)

    trainer.reload()
    expect(trainer.get_by_role("heading", name=t("The debrief: the case, sector by sector"))).to_be_visible()
    expect(trainer.locator(".case-timeline")).to_contain_text("Noor Bakker")
    expect(trainer.get_by_role("heading", name=t("Map of the case"))).to_be_visible()
    assert trainer.locator(".case-timeline .broke").count() == 0  # every hand-off carried what it should
    _check(trainer)
    with live_server.app.app_context():
        case = db.session.get_one(CohortCase, case_id)
        assert case.grade == "best" and {step.get("by") for step in case.path} == {
            str(user_id) for (user_id, _), _ in players} | {None}
        names = set(db.session.scalars(sa.select(User.name).where(User.id.in_([u for (u, _), _ in players]))))
        assert len(names) == 4

"""A trainer's everyday work: lists as spreadsheets save them, pending invitations, removals that
can be undone, due dates, the module picker, the full record and the report for command, the
reminders page, and an administrator's audit log in words."""
from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.support.journeys import assign_past_due
from trainer.extensions import db
from trainer.models import (
    AuditEvent,
    Certificate,
    CohortMember,
    Invitation,
    ModuleProgress,
    Referral,
    Reminder,
)

TODAY = date.today()


@pytest.fixture
def trainer(client, make_user, published_course):
    user = make_user(roles=("trainer",), name="Tamsin Trainer", timezone="UTC")  # see the trainer fixture
    login(client, user)
    return user


def _create(client, name="Officers 2026", organisation="Police College") -> int:
    response = client.post("/cohorts", data={"name": name, "organisation": organisation})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _member(app, cohort_id: int, user_id: int) -> None:
    with app.app_context():
        db.session.add(CohortMember(cohort_id=cohort_id, user_id=user_id))
        db.session.commit()


def _actions(app) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.details) for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --- lists as spreadsheets save them ----------------------------------------------------------

def test_a_dutch_excel_list_with_semicolons_in_windows_1252_invites_everyone(client, trainer, count_rows):
    cohort_id = _create(client)
    data = "Naam;E-mailadres\r\nZoë Müller;zoe@example.org\r\nBram de Vries;bram@example.org\r\n".encode("cp1252")
    page = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (io.BytesIO(data), "lijst.csv")})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "2 people were emailed an invitation." in text
    assert "Windows-1252 text and uses a semicolon (;) between columns — that is fine." in text
    assert count_rows(Invitation) == 2
    assert "Zoë Müller" in client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)


def test_a_utf16_list_with_tabs_is_read(client, trainer, count_rows):
    cohort_id = _create(client)
    data = codecs.BOM_UTF16_LE + "name\temail\r\nAna Ortiz\tana@example.org\r\n".encode("utf-16-le")
    text = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (io.BytesIO(data), "list.txt")}).get_data(
        as_text=True)
    assert "1 person was emailed an invitation." in text and "UTF-16 text and uses a tab" in text
    assert count_rows(Invitation) == 1


def test_the_error_page_names_the_cause_and_keeps_the_upload_form(client, trainer, count_rows):
    cohort_id = _create(client)
    data = b"PK\x03\x04" + bytes(range(256)) * 4  # an .xlsx workbook, not a CSV
    response = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (io.BytesIO(data), "list.xlsx")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "it may be an .xlsx workbook" in page
    assert f'action="/cohorts/{cohort_id}/roster"' in page and 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and count_rows(Invitation) == 0
    wrong_header = client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (
        io.BytesIO(b"voornaam;adres\r\nZoe;Utrecht\r\n"), "list.csv")}).get_data(as_text=True)
    assert "It reads: &#39;voornaam&#39;, &#39;adres&#39;." in wrong_header


# --- pending invitations ----------------------------------------------------------------------

def _invite(client, cohort_id: int, *people: tuple[str, str]) -> None:
    rows = "name,email\n" + "".join(f"{name},{email}\n" for name, email in people)
    assert client.post(f"/cohorts/{cohort_id}/roster", data={"roster": (io.BytesIO(rows.encode()), "l.csv")}
                       ).status_code == 200


def _invitation_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Invitation.id).where(Invitation.email == email))


def test_pending_invitations_are_sent_again_at_most_daily_or_withdrawn(app, client, trainer, outbox, count_rows):
    cohort_id = _create(client)
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"), ("Bram", "bram@example.org"))
    assert len(outbox()) == 2
    ana, bram = _invitation_id(app, "ana@example.org"), _invitation_id(app, "bram@example.org")
    page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert f'action="/cohorts/{cohort_id}/invitations/{ana}/resend"' in page
    assert f'action="/cohorts/{cohort_id}/invitations/{bram}/withdraw"' in page

    too_soon = client.post(f"/cohorts/{cohort_id}/invitations/{ana}/resend", follow_redirects=True)
    assert "Ana Ortiz was sent the invitation less than a day ago" in too_soon.get_data(as_text=True)
    assert len(outbox()) == 2
    with app.app_context():
        db.session.get(Invitation, ana).created_at = datetime.now(UTC) - timedelta(days=2)
        db.session.commit()
    sent = client.post(f"/cohorts/{cohort_id}/invitations/{ana}/resend", follow_redirects=True)
    assert "The invitation is sent again to Ana Ortiz." in sent.get_data(as_text=True)
    mails = outbox()
    assert len(mails) == 3 and mails[-1]["To"] == "ana@example.org"
    assert "training group" in mails[-1].get_content()
    again = client.post(f"/cohorts/{cohort_id}/invitations/{ana}/resend", follow_redirects=True)
    assert "less than a day ago" in again.get_data(as_text=True) and len(outbox()) == 3

    withdrawn = client.post(f"/cohorts/{cohort_id}/invitations/{bram}/withdraw", follow_redirects=True)
    assert "The invitation to Bram is withdrawn" in withdrawn.get_data(as_text=True)
    assert count_rows(Invitation) == 1
    assert client.post(f"/cohorts/{cohort_id}/invitations/{bram}/withdraw").status_code == 404
    assert ("cohort-invitation-resent", {"invitation": ana}) in _actions(app)
    assert ("cohort-invitation-withdrawn", {"invitation": bram}) in _actions(app)


def test_another_trainer_cannot_resend_or_withdraw(app, client, trainer, make_user, count_rows):
    cohort_id = _create(client)
    _invite(client, cohort_id, ("Ana Ortiz", "ana@example.org"))
    ana = _invitation_id(app, "ana@example.org")
    other = app.test_client()
    login(other, make_user(roles=("trainer",)))
    assert other.post(f"/cohorts/{cohort_id}/invitations/{ana}/resend").status_code == 404
    assert other.post(f"/cohorts/{cohort_id}/invitations/{ana}/withdraw").status_code == 404
    # An invitation of another cohort is not found through this one.
    second = _create(client, "Second")
    assert client.post(f"/cohorts/{second}/invitations/{ana}/withdraw").status_code == 404
    assert count_rows(Invitation) == 1


def test_people_invited_count_as_not_complete(app, client, trainer, make_user):
    cohort_id = _create(client)
    done = make_user(name="Ana Ortiz")
    _member(app, cohort_id, done.id)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "what-it-is",
                                                           "due_on": (TODAY + timedelta(days=3)).isoformat()})
    learner = app.test_client()
    login(learner, done)
    learner.post("/courses/core/what-it-is/sections/sexual-exploitation", data={"action": "alternative"})
    learner.post("/courses/core/what-it-is/complete")
    assert "Overall: 100% of assignments completed by 1 learner." in client.get(f"/cohorts/{cohort_id}").get_data(
        as_text=True)
    _invite(client, cohort_id, ("Bram", "bram@example.org"))
    page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Overall: 50% of assignments completed by 1 learner." in page
    assert "1 person invited has not joined yet and counts as not complete." in page


# --- removals: confirmed, and undone --------------------------------------------------------

def test_removing_a_learner_is_confirmed_and_can_be_undone(app, client, trainer, make_user, count_rows):
    cohort_id = _create(client)
    ana = make_user(name="Ana Ortiz")
    _member(app, cohort_id, ana.id)
    board = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert f'href="/cohorts/{cohort_id}/members/{ana.id}/remove"' in board
    confirm = client.get(f"/cohorts/{cohort_id}/members/{ana.id}/remove")
    assert confirm.status_code == 200 and "Remove Ana Ortiz from Officers 2026?" in confirm.get_data(as_text=True)
    assert count_rows(CohortMember) == 1  # asking changes nothing
    done = client.post(f"/cohorts/{cohort_id}/members/{ana.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert count_rows(CohortMember) == 0
    assert "Ana Ortiz is removed from the cohort." in done and "Undo: put Ana Ortiz back" in done
    back = client.post(f"/cohorts/{cohort_id}/members/restore", follow_redirects=True).get_data(as_text=True)
    assert "Ana Ortiz is back in the cohort." in back and count_rows(CohortMember) == 1
    assert "Undo: put Ana Ortiz back" not in back
    again = client.post(f"/cohorts/{cohort_id}/members/restore", follow_redirects=True).get_data(as_text=True)
    assert "There is no removal to undo." in again
    assert [a for a, _ in _actions(app) if a.startswith("cohort-member")] == ["cohort-member-removed",
                                                                               "cohort-member-restored"]


def test_an_undo_after_fifteen_minutes_is_refused(app, client, trainer, make_user, count_rows, monkeypatch):
    from trainer.services import cohorts

    cohort_id = _create(client)
    ana = make_user(name="Ana Ortiz")
    _member(app, cohort_id, ana.id)
    client.post(f"/cohorts/{cohort_id}/members/{ana.id}/remove")
    monkeypatch.setattr(cohorts, "UNDO_SECONDS", -1)
    page = client.post(f"/cohorts/{cohort_id}/members/restore", follow_redirects=True).get_data(as_text=True)
    assert "A removal can be undone for 15 minutes" in page and count_rows(CohortMember) == 0


def test_removing_a_directory_entry_is_confirmed_and_can_be_undone(app, client, make_user, count_rows):
    login(client, make_user(roles=("admin",)))
    form = {"country": "CA-ON", "name": "Local shelter", "phone": "555-0100", "url": "", "hours": "24/7",
            "languages": "en, fr", "description": "Beds for anyone", "checked": "2026-11-25",
            "source": "https://example.org/"}
    assert client.post("/authoring/referrals/new", data=form).status_code == 302
    with app.app_context():
        referral_id = db.session.scalar(sa.select(Referral.id))
    assert f'href="/authoring/referrals/{referral_id}/delete"' in client.get("/authoring/referrals").get_data(
        as_text=True)
    confirm = client.get(f"/authoring/referrals/{referral_id}/delete").get_data(as_text=True)
    assert "Delete Local shelter from the directory?" in confirm and count_rows(Referral) == 1
    deleted = client.post(f"/authoring/referrals/{referral_id}/delete").get_data(as_text=True)
    assert count_rows(Referral) == 0 and "Undo: put Local shelter back" in deleted
    token = re.search(r'name="token" value="([^"]+)"', deleted).group(1)
    assert client.post("/authoring/referrals/restore", data={"token": token + "x"}).status_code == 404
    back = client.post("/authoring/referrals/restore", data={"token": token}, follow_redirects=True)
    assert "Local shelter is back in the directory." in back.get_data(as_text=True)
    with app.app_context():
        restored = db.session.scalar(sa.select(Referral))
        assert (restored.name, restored.phone, restored.languages, restored.checked) == (
            "Local shelter", "555-0100", ["en", "fr"], date(2026, 11, 25))


# --- assignments ------------------------------------------------------------------------------

def test_a_due_date_in_the_past_is_refused_and_nothing_is_assigned(app, client, trainer):
    from trainer.models import Assignment

    cohort_id = _create(client)
    yesterday = TODAY - timedelta(days=2)
    page = client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": yesterday.isoformat()},
                       follow_redirects=True).get_data(as_text=True)
    assert "has passed. Choose today or a later date." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0


def test_the_module_picker_lists_only_the_chosen_course(app, client, trainer):
    cohort_id = _create(client)
    step = client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "step": "modules"})
    assert step.status_code == 302
    assert step.headers["Location"].endswith(f"/cohorts/{cohort_id}?course=core#assign-heading")
    page = client.get(f"/cohorts/{cohort_id}?course=core").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="module".*?</select>', page, re.DOTALL).group(0)
    assert 'value="what-it-is"' in select and "<optgroup" not in select
    plain = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    plain_select = re.search(r'<select[^>]*id="module".*?</select>', plain, re.DOTALL).group(0)
    assert 'value="what-it-is"' not in plain_select  # no course chosen: only "The whole course"
    assert 'data-modules="' in plain_select and "List this course" in plain


# --- what a command asks for ------------------------------------------------------------------

def _certificate(app, user_id: int, name: str, expires_on: date, code: str = "ABCD-1234") -> None:
    from trainer.models import Course

    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == "core"))
        db.session.add(Certificate(code=code, user_id=user_id, course_id=course.id, completion_key=f"k-{code}",
                                   version_number=1, name=name, course_title="Human trafficking: the shared core",
                                   sector="police", hours=2.0, completed_on=TODAY - timedelta(days=300),
                                   expires_on=expires_on))
        db.session.commit()


def test_the_full_record_has_what_a_command_asks_for(app, client, trainer, make_user):
    cohort_id = _create(client)
    ana = make_user(name="=HYPERLINK(\"http://evil\")", sector="health", specialty="emergency")
    _member(app, cohort_id, ana.id)
    client.post(f"/cohorts/{cohort_id}/assignments",
                data={"course": "core", "due_on": (TODAY + timedelta(days=9)).isoformat()})
    with app.app_context():
        from trainer.models import Course

        course_id = db.session.scalar(sa.select(Course.id).where(Course.slug == "core"))
        db.session.add(ModuleProgress(user_id=ana.id, course_id=course_id, module="indicators-quiz", score=0.8,
                                      state="completed", completed_at=datetime.now(UTC)))
        db.session.commit()
    _certificate(app, ana.id, "Ana", TODAY + timedelta(days=30))
    _invite(client, cohort_id, ("Bram", "bram@example.org"))
    response = client.get(f"/cohorts/{cohort_id}/records.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response.data)
    assert rows[0] == ["Name", "Email", "Sector", "Specialty", "Assignment", "Due on", "Status", "Best score %",
                       "Completed on", "Last activity", "Certificate code", "Certificate valid until"]
    record = rows[1]
    assert record[0] == "'=HYPERLINK(\"http://evil\")"  # neutralised, not a formula
    assert record[1:4] == [ana.email, "health", "emergency"]
    assert record[4] == "Human trafficking: the shared core" and record[6] == "not-started"
    assert record[7] == "80" and record[9] == datetime.now(UTC).date().isoformat()  # the progress row
    assert record[10:] == ["ABCD-1234", (TODAY + timedelta(days=30)).isoformat()]
    assert rows[2][:2] == ["Bram", "bram@example.org"] and rows[2][6] == "invited, not joined"
    assert ("export-cohort-records-csv", {"learners": 1}) in _actions(app)


def test_the_report_covers_a_trainers_own_cohorts_and_every_cohort_for_administrators(
        app, client, trainer, make_user):
    mine, late = _create(client, "Night shift", "St Mary's"), make_user(name="Ana Ortiz")
    _member(app, mine, late.id)
    assign_past_due(app, client, mine, TODAY - timedelta(days=4), course="core")
    _certificate(app, late.id, "Ana Ortiz", TODAY + timedelta(days=45), code="SOON-0001")
    _certificate(app, late.id, "Ana Ortiz", TODAY + timedelta(days=200), code="LATER-0002")
    other = app.test_client()
    login(other, make_user(roles=("trainer",)))
    theirs = int(other.post("/cohorts", data={"name": "Day shift", "organisation": "Elsewhere"})
                 .headers["Location"].rsplit("/", 1)[1])

    page = client.get("/reports").get_data(as_text=True)
    assert "Night shift" in page and "Day shift" not in page
    assert "Ana Ortiz" in page and "SOON-0001" in page and "LATER-0002" not in page
    assert '<svg class="chart" role="img"' in page and "Completion by organisation" in page
    assert "St Mary&#39;s" in page
    csv_rows = _rows(client.get("/reports/report.csv").data)
    assert ["Completion by cohort"] in csv_rows and any(r[:2] == ["Night shift", "St Mary's"] for r in csv_rows)
    assert any(r[1:3] == ["Ana Ortiz", late.email] for r in csv_rows)
    assert any(r[3] == "SOON-0001" for r in csv_rows if len(r) == 5)
    pdf = client.get("/reports/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert [a for a, _ in _actions(app) if a.startswith("export-report")] == ["export-report-csv",
                                                                               "export-report-pdf"]

    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    everything = admin.get("/reports").get_data(as_text=True)
    assert "Night shift" in everything and "Day shift" in everything and "Every current cohort" in everything
    learner = app.test_client()
    login(learner, late)
    assert learner.get("/reports").status_code == 403
    del theirs


def _varied_cohort(app, client, make_user, name: str) -> int:
    """A cohort with a learner in each state of each kind of assignment, a pending invitation and
    certificates valid, revoked, expired and far from expiry."""
    from trainer.models import Course, Enrolment

    cohort_id = _create(client, name, "County")
    done_course, done_module, started, idle = (make_user(name=f"{name} {who}")
                                               for who in ("Ada", "Ben", "Cas", "Dee"))
    for user in (done_course, done_module, started, idle):
        _member(app, cohort_id, user.id)
    assign_past_due(app, client, cohort_id, TODAY - timedelta(days=3), course="core")
    assign_past_due(app, client, cohort_id, TODAY - timedelta(days=1), course="core", module="indicators-quiz")
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "what-it-is",
                                                           "due_on": (TODAY + timedelta(days=5)).isoformat()})
    with app.app_context():
        course_id = db.session.scalar(sa.select(Course.id).where(Course.slug == "core"))
        now = datetime.now(UTC)
        db.session.add_all([
            Enrolment(user_id=done_course.id, course_id=course_id, completed_at=now),
            Enrolment(user_id=started.id, course_id=course_id),
            ModuleProgress(user_id=done_module.id, course_id=course_id, module="indicators-quiz",
                           state="completed", completed_at=now),
            ModuleProgress(user_id=done_module.id, course_id=course_id, module="what-it-is",
                           state="completed", completed_at=now),
            ModuleProgress(user_id=started.id, course_id=course_id, module="what-it-is", state="in-progress"),
            Invitation(cohort_id=cohort_id, email=f"{cohort_id}@example.org", name="Pending"),
        ])
        db.session.commit()
    code = f"C{cohort_id:03d}"
    _certificate(app, done_course.id, done_course.name, TODAY + timedelta(days=20), code=f"{code}-SOON")
    _certificate(app, done_module.id, done_module.name, TODAY + timedelta(days=200), code=f"{code}-LATE")
    _certificate(app, started.id, started.name, TODAY - timedelta(days=1), code=f"{code}-GONE")
    _certificate(app, idle.id, idle.name, TODAY + timedelta(days=10), code=f"{code}-VOID")
    with app.app_context():
        db.session.scalar(sa.select(Certificate).where(Certificate.code == f"{code}-VOID")).revoked_at = now
        db.session.commit()
    return cohort_id


def _report_by_dashboards(actor, today):
    """The report as each cohort's dashboard counts it, to hold the report's own reading to."""
    from trainer.services import assignments, certificates, cohorts
    from trainer.vocabulary import AssignmentState, CertificateState

    lines, overdue, expiring = {}, set(), set()
    for cohort in cohorts.visible_to(actor):
        board = assignments.dashboard(actor, cohort, today=today)
        late = {(u.id, a.id) for u in board.learners for a in board.assignments
                if board.cells[(u.id, a.id)].state == AssignmentState.OVERDUE}
        lines[cohort.id] = (len(board.learners), board.invited, len(board.assignments), board.overall(),
                            len({user for user, _ in late}))
        overdue |= {(cohort.id, user, board.assignments[[a.id for a in board.assignments].index(aid)].due_on)
                    for user, aid in late}
        expiring |= {(cohort.id, c.code) for c in certificates.for_cohort(actor, cohort)
                     if c.state(today) == CertificateState.VALID and c.expires_on is not None
                     and c.expires_on <= today + timedelta(days=90)}
    return lines, overdue, expiring


def test_the_report_agrees_with_every_dashboard_in_a_fixed_number_of_statements(
        app, client, trainer, make_user, get_user, sql_statements):
    from trainer.services import command_report

    def read():
        with app.app_context():
            actor = get_user(trainer.id)
            with sql_statements() as sent:
                found = command_report.report(actor, today=TODAY)
            lines = {c.cohort.id: (c.learners, c.invited, c.assignments, c.completion, c.overdue)
                     for c in found.cohorts}
            overdue = {(o.cohort.id, o.user_id, o.due_on) for o in found.overdue}
            expiring = {(e.cohort.id, e.code) for e in found.expiring}
            assert (lines, overdue, expiring) == _report_by_dashboards(actor, TODAY)
            return len(sent), found

    for n in range(2):
        _varied_cohort(app, client, make_user, f"Ward {n}")
    few, found = read()
    assert {line.completion for line in found.cohorts} == {round(100 * 3 / (5 * 3))}  # 3 of 15 done
    assert len(found.overdue) == 2 * 6 and {e.code[-4:] for e in found.expiring} == {"SOON"}
    for n in range(2, 5):
        _varied_cohort(app, client, make_user, f"Ward {n}")
    many, found = read()
    assert len(found.cohorts) == 5 and many == few


def test_a_long_report_lists_the_most_urgent_and_the_csv_has_them_all(app, client, trainer, make_user,
                                                                       monkeypatch):
    from trainer.services import command_report

    for n in range(2):
        _varied_cohort(app, client, make_user, f"Ward {n}")
    monkeypatch.setattr(command_report, "LISTED", 4)
    page = client.get("/reports").get_data(as_text=True)
    assert "The 4 longest overdue of 12 are listed; the CSV lists them all." in page
    overdue = page.split('id="overdue-heading"')[1].split("</section>")[0]
    assert overdue.count("<tr><th scope=\"row\">") == 4
    assert "soonest to expire" not in page  # two certificates expire soon: both listed
    csv_rows = _rows(client.get("/reports/report.csv").data)
    assert sum(1 for r in csv_rows if len(r) == 5 and r[4] < TODAY.isoformat() and r[0].startswith("Ward")) == 12
    assert client.get("/reports/report.pdf").status_code == 200


def test_the_report_in_dutch(app, client, trainer, make_user):
    _create(client)
    client.post("/language", data={"locale": "nl"})
    page = client.get("/reports").get_data(as_text=True)
    assert 'lang="nl"' in page and "Voltooiing per groep" in page


# --- reminders, analysis ----------------------------------------------------------------------

def test_the_reminders_page_shows_what_was_sent_and_what_comes_next(app, client, trainer, make_user):
    cohort_id = _create(client)
    late, ahead = make_user(name="Ana Ortiz"), make_user(name="Bram")
    for user in (late, ahead):
        _member(app, cohort_id, user.id)
    assign_past_due(app, client, cohort_id, TODAY - timedelta(days=2), course="core", module="what-it-is")
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "indicators-quiz",
                                                           "due_on": (TODAY + timedelta(days=10)).isoformat()})
    page = client.get(f"/cohorts/{cohort_id}/reminders").get_data(as_text=True)
    assert "No reminder has been sent yet." in page
    assert re.search(r"due soon: Human trafficking: the shared core / indicators-quiz .*2 learners", page)
    from trainer.services import job_worker

    client.post(f"/cohorts/{cohort_id}/reminders")
    job_worker.wait_all()  # the reminders are written and mailed by a job
    page = client.get(f"/cohorts/{cohort_id}/reminders").get_data(as_text=True)
    sent = page[page.index('id="sent-heading"'):]
    assert "Ana Ortiz" in sent and "Bram" in sent and "sent by a trainer" in sent
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 2


def test_item_analysis_explains_its_separation_index_in_plain_words(app, client, trainer):
    cohort_id = _create(client)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "due_on": TODAY.isoformat()})
    page = client.get(f"/cohorts/{cohort_id}/analysis").get_data(as_text=True)
    assert "Discrimination" not in page
    assert "Tells who knows it" in page and 'aria-describedby="separates-explained"' in page


# --- the audit log in words -------------------------------------------------------------------

def test_the_audit_log_names_people_and_cohorts_and_keeps_ids(app, client, trainer, make_user):
    cohort_id = _create(client)
    ana = make_user(name="Ana Ortiz")
    _member(app, cohort_id, ana.id)
    client.post(f"/cohorts/{cohort_id}/members/{ana.id}/remove")
    admin = app.test_client()
    login(admin, make_user(roles=("admin",)))
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "removed a learner" in page and "the cohort Officers 2026" in page and "person: Ana Ortiz" in page
    assert "Tamsin Trainer" in page and f"user {ana.id}" not in page
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cohort-member-removed"))
        assert (event.target, event.details) == (f"cohort {cohort_id}", {"user": ana.id})


def test_the_next_scheduled_reminders_follow_the_daily_rule(app, client, trainer, make_user):
    from trainer.models import Cohort, User
    from trainer.services import reminders
    from trainer.services.errors import NotFound

    cohort_id = _create(client)
    ana = make_user(name="Ana Ortiz")
    _member(app, cohort_id, ana.id)
    client.post(f"/cohorts/{cohort_id}/assignments", data={"course": "core", "module": "what-it-is",
                                                           "due_on": (TODAY + timedelta(days=10)).isoformat()})
    assign_past_due(app, client, cohort_id, TODAY - timedelta(days=1), course="core", module="indicators-quiz")
    with app.test_request_context():
        actor, cohort = db.session.get(User, trainer.id), db.session.get(Cohort, cohort_id)
        coming = [(u.kind, u.on, u.learners, u.assignment.module) for u in reminders.upcoming(actor, cohort, TODAY)]
        assert coming == [("overdue", TODAY, 1, "indicators-quiz"),
                          ("due-soon", TODAY + timedelta(days=7), 1, "what-it-is"),
                          ("overdue", TODAY + timedelta(days=11), 1, "what-it-is")]
        reminders.send_scheduled(TODAY)
        db.session.commit()
        after = [(u.kind, u.assignment.module) for u in reminders.upcoming(actor, cohort, TODAY)]
        assert after == [("due-soon", "what-it-is"), ("overdue", "what-it-is")]  # the overdue one went today
        stranger = db.session.get(User, make_user(roles=("trainer",)).id)
        with pytest.raises(NotFound):
            reminders.upcoming(stranger, cohort, TODAY)


def test_a_refused_assignment_returns_with_the_course_still_chosen(client, trainer):
    cohort_id = _create(client)
    response = client.post(f"/cohorts/{cohort_id}/assignments", data={
        "course": "core", "module": "what-it-is", "due_on": (TODAY - timedelta(days=5)).isoformat()})
    assert response.headers["Location"].endswith(f"/cohorts/{cohort_id}?course=core#assign-heading")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has passed" in page and 'value="what-it-is"' in page

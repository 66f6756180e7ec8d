"""Command-line interface: thin wrappers over services, one commit per command."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from trainer.content import find_courses, format_text, parse_course, to_json
from trainer.content.cues import format_guesses, guess_course
from trainer.extensions import db
from trainer.services import (
    accounts,
    authoring,
    backup,
    certificates,
    demo,
    mail,
    publishing,
    referrals,
    reminders,
    xapi,
)
from trainer.services.errors import InvalidInput, NotAllowed
from trainer.vocabulary import Role, Sector

users_cli = AppGroup("users", help="Manage accounts.")
courses_cli = AppGroup("courses", help="Check and publish courses written in Markdown.")
demo_cli = AppGroup("demo", help="Demonstration data for local use.")
mail_cli = AppGroup("mail", help="Outgoing mail.")
cohorts_cli = AppGroup("cohorts", help="Cohorts and their assignments.")
referrals_cli = AppGroup("referrals", help="The referral directory.")
jobs_cli = AppGroup("jobs", help="Background jobs and mail delivery.")
xapi_cli = AppGroup("xapi", help="xAPI statements for the Learning Record Store.")


@jobs_cli.command("worker")
@click.option("--queue", "queues", multiple=True, type=click.Choice(["mail", "jobs"]),
              help="Only this queue (repeat for both; the default is both, mail first).")
@click.option("--burst", is_flag=True, help="Do what is due now, then stop.")
def jobs_worker(queues: tuple[str, ...], burst: bool) -> None:
    """Deliver mail and run jobs: on RQ when REDIS_URL is set, otherwise from the database."""
    import signal
    import threading

    from flask import current_app

    from trainer.services import job_rq, job_runner, job_worker
    from trainer.services.jobs import redis_url

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    chosen = tuple(q for q in ("mail", "jobs") if q in queues) or ("mail", "jobs")
    if redis_url(app):
        click.echo(f"Working on RQ queues {', '.join(chosen)} at {redis_url(app).split('@')[-1]}.")
        job_rq.work(app, chosen, burst=burst)
        return
    work = {"mail": mail.deliver_due, "jobs": job_runner.run_due}
    if burst:
        for name in chosen:
            while work[name]():
                pass
        db.session.remove()
        return
    click.echo(f"Working on the database queue ({', '.join(chosen)}); stop with Ctrl-C.")
    loops = [job_worker.Loop(app, name, work[name], app.config["JOBS_POLL_SECONDS"]) for name in chosen]
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    for loop in loops:
        loop.wake()
    stopped.wait()
    click.echo("Stopping once the work in hand is done.")
    for loop in loops:
        loop.stop()
    for loop in loops:
        if loop.thread is not None:
            loop.thread.join()


@cohorts_cli.command("remind")
def remind() -> None:
    """Send due-soon and overdue reminders (each once); run it daily from a scheduler."""
    counts = reminders.send_scheduled()
    db.session.commit()
    click.echo(f"Sent {counts['due-soon']} due-soon and {counts['overdue']} overdue reminders.")


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--sector", type=click.Choice(Sector.values()), default=Sector.COMMUNITY.value, show_default=True)
@click.option("--organisation", default="")
@click.option("--role", "roles", type=click.Choice(Role.values()), multiple=True,
              help="Repeat for several roles; every account is a learner.")
@click.password_option(help="Prompted for (twice) when not given.")
def create_user(email: str, name: str, sector: str, organisation: str, roles: tuple[str, ...],
                password: str) -> None:
    """Create an account, for example the first administrator."""
    profile = accounts.Profile(name=name, organisation=organisation, sector=sector, specialty=None,
                               is_resident=False, locale=None, timezone="UTC")
    try:
        user = accounts.register(email, password, profile, roles=roles or (Role.LEARNER,), verified=True)
    except InvalidInput as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error.message}") from None
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.role_names))}")


@demo_cli.command("seed")
def seed_demo() -> None:
    """Create the demo accounts (unchanged if they exist) and print how to sign in; development
    and testing only."""
    try:
        created = demo.seed_accounts()
    except NotAllowed as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo("Demo accounts (local use only):")
    for account in demo.DEMO_ACCOUNTS:
        state = "created" if account.email in created else "exists"
        click.echo(f"  {account.label:<26} {account.email:<26} password: {account.password}  ({state})")
    click.echo("Administrators, trainers and the coordinator set up two-factor sign-in (any authenticator app) "
               "when they first sign in; TWO_FACTOR_REQUIRED_ROLES= turns that off for a local trial.")


@mail_cli.command("retry")
def retry_mail() -> None:
    """Try again to send mail that could not be delivered."""
    sent, pending = mail.retry_pending()
    db.session.commit()
    click.echo(f"Sent {sent}; {pending} still waiting.")


@xapi_cli.command("status")
def xapi_status() -> None:
    """How many statements wait, were sent or were refused, and why the last were refused."""
    counts = xapi.outbox_counts()
    click.echo(f"LRS: {current_app.config['XAPI_ENDPOINT'] or 'none configured (xAPI is off)'}")
    click.echo(f"Waiting {counts['pending']}, sent {counts['sent']}, refused {counts['rejected']}.")
    for row in xapi.rejected():
        click.echo(f"  refused: {row.statement_id} ({row.kind}) {row.last_error}")


@xapi_cli.command("resend")
def xapi_resend() -> None:
    """Queue the refused statements again, once what made the LRS refuse them is put right."""
    count = xapi.resend_rejected()
    db.session.commit()
    click.echo(f"{count} statement(s) queued again.")


@courses_cli.command("check")
@click.argument("path", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_courses(path: str, as_json: bool) -> None:
    """Validate course files without writing anything; exit status 1 on any error."""
    report = publishing.check(path)
    click.echo(json.dumps(to_json(report), indent=2, ensure_ascii=False) if as_json else format_text(report))
    if not report.ok:
        raise SystemExit(1)


@courses_cli.command("guess")
@click.argument("path", type=click.Path())
def guess_courses(path: str) -> None:
    """Expected score of guessing strategies on every quiz; exit status 1 if one passes."""
    guesses = []
    for folder in find_courses(Path(path)):
        parsed = parse_course(folder)
        if parsed.spec is not None:
            guesses.extend(guess_course(parsed.spec, folder))
    click.echo(format_guesses(guesses), nl=False)
    if any(g.passing for g in guesses):
        raise SystemExit(1)


@courses_cli.command("import")
@click.argument("path", type=click.Path())
@click.option("--replace", "replace_course", is_flag=True,
              help="Replace a different course that has the same id.")
@click.option("--force", is_flag=True,
              help="Publish even if the course was changed in the browser and these files lack those changes.")
def import_courses(path: str, replace_course: bool, force: bool) -> None:
    """Publish courses: all or nothing; unchanged text changes nothing."""
    result = publishing.import_path(path, replace_course=replace_course, force=force)
    if not result.ok:
        db.session.rollback()
        click.echo(format_text(result.report))
        click.echo("Nothing was imported: correct the errors above and run the import again.")
        raise SystemExit(1)
    db.session.commit()
    for version in result.published:
        click.echo(f"published {version.course.slug} version {version.number}: {version.title}")
    for version in result.unchanged:
        click.echo(f"unchanged {version.course.slug} (version {version.number})")
    if result.referrals is not None:
        changed, removed = result.referrals
        click.echo(f"referral directory: {changed} added or updated, {removed} removed")


@courses_cli.command("export")
@click.argument("course_id")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_course(course_id: str, folder: Path) -> None:
    """Write a course's published version into FOLDER as files, so that edits made in the
    browser can be committed to version control; later imports of FOLDER build on it."""
    try:
        export = publishing.export_course(course_id, folder)
    except ValueError as error:
        click.echo(f"Nothing was exported: {error}.", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"exported {course_id} version {export.version.number} to {folder}: "
               f"{len(export.written)} file{'s' if len(export.written) != 1 else ''}")
    for name in export.not_in_version:
        click.echo(f"{folder / name}: not part of version {export.version.number}; left as it is (delete it if "
                   "the module was removed)")


@courses_cli.command("gift")
@click.argument("gift_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", "folder", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The course folder (with its course.md) that gets the new quiz module.")
@click.option("--filename", help="The new module's file name (default: the GIFT file's name).")
@click.option("--title", help="The new module's title (default: from the file name).")
@click.option("--import-rest", is_flag=True,
              help="If some questions cannot be converted, import the others anyway.")
def gift_into_course(gift_file: Path, folder: Path, filename: str | None, title: str | None,
                     import_rest: bool) -> None:
    """Convert a Moodle GIFT file into a quiz module of a course folder, as the upload does.

    Nothing is written when the file has a question that cannot be converted, unless
    --import-rest; then check the course and review the module before you import it."""
    name = filename or gift_file.stem
    try:
        default_title = gift_file.stem.replace("-", " ").replace("_", " ").capitalize()
        written, result = authoring.gift_into_folder(folder, gift_file.read_bytes(), name, title or default_title,
                                                     import_rest=import_rest)
    except InvalidInput as error:
        click.echo(f"{gift_file}: {error.message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{result.converted} question{'s' if result.converted != 1 else ''} converted into "
               f"{folder / written}, listed in {folder / 'course.md'}.")
    for issue in result.skipped:
        click.echo(f"{gift_file}:{issue.line}: question {issue.number} not converted: {issue.message}")
    for issue in result.warnings:
        where = f"{gift_file}:{issue.line}: question {issue.number}: " if issue.number else f"{gift_file}: "
        click.echo(f"{where}{issue.message}")


@referrals_cli.command("stale")
def stale_referrals() -> None:
    """List directory entries due for checking; exit status 1 when there are any (for a scheduler)."""
    due = referrals.due_for_checking()
    if not due:
        click.echo("No directory entries are due for checking.")
        return
    click.echo(f"{len(due)} directory {'entry is' if len(due) == 1 else 'entries are'} due for checking "
               f"(not checked for {referrals.max_age_days()} days or more):")
    for entry in due:
        click.echo(f"  {entry.name} ({entry.country}): last checked {entry.checked.isoformat()}, "
                   f"source {entry.source}")
    raise SystemExit(1)


certificates_cli = AppGroup("certificates", help="Certificates.")


@certificates_cli.command("remind")
def remind_expiry() -> None:
    """Tell learners and their trainers a month before a certificate expires (once each); run daily."""
    sent = certificates.send_expiry_reminders()
    db.session.commit()
    click.echo(f"Sent expiry notices for {sent} certificates.")


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Make a consistent copy of the running SQLite database."""
    try:
        size = backup.backup(target)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {target} ({size // 1024} KB).")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the SQLite database with a backup. Stop the app first."""
    if not yes:
        click.confirm("Replace the database with this backup? Stop the app first", abort=True)
    try:
        backup.restore(source)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {source}; the previous database is kept as .before-restore.")


def register_commands(app: Flask) -> None:
    from trainer.cli_lti import lti_cli

    app.cli.add_command(backup_command)
    app.cli.add_command(lti_cli)
    app.cli.add_command(restore_command)
    for group in (users_cli, courses_cli, cohorts_cli, certificates_cli, demo_cli, mail_cli, referrals_cli, jobs_cli,
                  xapi_cli):
        app.cli.add_command(group)

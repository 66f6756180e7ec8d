"""The scenario service: a run completes its module only at an ending the course accepts."""
from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import GOOD_COURSE
from trainer.extensions import db
from trainer.models import Course, ModuleProgress, User
from trainer.services import catalogue, publishing, scenarios

HARMFUL = ["let-stay", "discharge"]
BEST = ["ask-alone", "open"]


def _publish(app, tmp_path, course_line: str = "", module_line: str = ""):
    folder = tmp_path / "core"
    shutil.copytree(GOOD_COURSE, folder)
    if course_line:
        text = (folder / "course.md").read_text()
        (folder / "course.md").write_text(text.replace("pass_mark: 80\n", f"pass_mark: 80\n{course_line}\n"))
    if module_line:
        text = (folder / "03-night-shift.md").read_text()
        (folder / "03-night-shift.md").write_text(text.replace("kind: scenario\n", f"kind: scenario\n{module_line}\n"))
    with app.app_context():
        result = publishing.import_path(folder)
        assert result.ok, [str(p) for p in result.report.problems]
        db.session.commit()


def _play(user_id: int, choices: list[str]):
    """Play one run through the given choice ids; (run, module state) after it."""
    user = db.session.get(User, user_id)
    course, version = catalogue.course_version(user, "core")
    module = catalogue.module(version, "ed-night-shift")
    run = scenarios.start(user, course, version, module)
    for choice in choices:
        scenarios.choose(user, course, version, module, run, run.current_node,
                         scenarios.choice_key(run, run.current_node, choice))
    state = db.session.scalar(sa.select(ModuleProgress.state).where(
        ModuleProgress.user_id == user.id, ModuleProgress.module == "ed-night-shift"))
    return run, module, state


@pytest.mark.parametrize("course_line, module_line, harmful_passes, best_passes", [
    ("", "", False, True),                                    # default: acceptable
    ("pass_ending: any", "", True, True),
    ("pass_ending: any", "pass_ending: best", False, True),   # the module overrides the course
    ("pass_ending: best", "", False, True),
])
def test_pass_ending_decides_whether_a_run_completes(app, tmp_path, make_user, course_line, module_line,
                                                    harmful_passes, best_passes):
    _publish(app, tmp_path, course_line, module_line)
    account = make_user()
    with app.app_context():
        run, module, state = _play(account.id, HARMFUL)
        assert run.grade == "harmful" and run.finished_at is not None
        assert scenarios.passed(module, run) is harmful_passes
        assert state == ("completed" if harmful_passes else "in-progress")
        run, module, state = _play(account.id, BEST)
        assert scenarios.passed(module, run) is best_passes and state == "completed"


def test_a_version_published_before_the_setting_needs_acceptable(app, published_course):
    with app.app_context():
        module = catalogue.module(db.session.scalar(sa.select(Course)).versions[-1], "ed-night-shift")
        module.body = {k: v for k, v in module.body.items() if k != "pass_ending"}
        assert scenarios.required_ending(module) == "acceptable"

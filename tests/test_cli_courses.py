"""`flask courses check` and `flask courses import`, as an administrator runs them."""
from __future__ import annotations

import json
import shutil

from tests.conftest import GOOD_COURSE
from trainer.models import CourseVersion


def test_check_reports_clean_course_with_summary(runner):
    result = runner.invoke(args=["courses", "check", GOOD_COURSE])
    assert result.exit_code == 0, result.output
    assert "1 course, 0 errors" in result.output
    assert "core" in result.output


def test_check_reports_problems_as_path_line_message_and_exits_1(runner, tmp_path, count_rows):
    folder = tmp_path / "course"
    shutil.copytree(GOOD_COURSE, folder)
    quiz = folder / "02-indicators-quiz.md"
    quiz.write_text(quiz.read_text().replace("- [x] Arrange to see her alone", "- [ ] Arrange to see her alone"))
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 1
    assert "02-indicators-quiz.md:12:" in result.output and "correct" in result.output
    as_json = json.loads(runner.invoke(args=["courses", "check", str(folder), "--json"]).output)
    assert as_json["ok"] is False and as_json["errors"] >= 1
    result = runner.invoke(args=["courses", "import", str(folder)])
    assert result.exit_code == 1 and "Nothing was imported" in result.output
    assert count_rows(CourseVersion) == 0


def test_import_then_import_again(runner, count_rows):
    first = runner.invoke(args=["courses", "import", GOOD_COURSE])
    assert first.exit_code == 0 and "published core version 1" in first.output
    second = runner.invoke(args=["courses", "import", GOOD_COURSE])
    assert "unchanged core (version 1)" in second.output
    assert count_rows(CourseVersion) == 1


def test_the_shipped_curriculum_checks_clean(runner):
    result = runner.invoke(args=["courses", "check", "courses"])
    assert result.exit_code == 0, result.output[-3000:]


def test_guess_scores_every_quiz_and_fails_when_guessing_passes(runner, tmp_path):
    result = runner.invoke(args=["courses", "guess", "courses"])
    assert result.exit_code == 0, result.output[-3000:]
    assert "community/05-check-community.md (pass mark 80%)" in result.output
    assert "longest + False + every box" in result.output
    assert result.output.endswith("15 quizzes, 0 passable by guessing\n")
    course = tmp_path / "c"
    shutil.copytree(GOOD_COURSE, course)
    text = (course / "course.md").read_text("utf-8")
    (course / "course.md").write_text(text.replace("pass_mark: 80", "pass_mark: 10"), "utf-8")
    result = runner.invoke(args=["courses", "guess", str(course)])
    assert result.exit_code == 1
    assert "PASSES" in result.output

"""A check that remembers what the previous one found: only the changed files are read again,
and the report is the same as a check that remembers nothing."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

from trainer.content import check_path
from trainer.content.check import preview_file
from trainer.content.memo import Memo, merged

FIXTURES = Path(__file__).parent / "fixtures"
LESSON = "01-what-it-is.md"


def copy_course(tmp_path: Path) -> Path:
    folder = tmp_path / "good-course"
    shutil.copytree(FIXTURES / "good-course", folder)
    return folder


def test_a_second_check_reads_nothing_again_and_reports_the_same(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = copy_course(tmp_path)
    first = Memo()
    report = check_path(folder, memo=first)
    again = Memo(first.entries)
    assert check_path(folder, memo=again) == report
    # course.md, three modules, and the links of those four files
    assert again.hits == len(first.entries) == 8


def test_after_an_edit_only_the_edited_file_is_read_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = copy_course(tmp_path)
    first = Memo()
    check_path(folder, memo=first)
    lesson = folder / LESSON
    lesson.write_text(lesson.read_text() + "\nA new paragraph with a [dead link](#nowhere).\n")
    second = Memo(first.entries)
    remembered = check_path(folder, memo=second)
    assert remembered == check_path(folder)
    assert any("#nowhere" in p.message for p in remembered.problems)
    assert second.hits == len(first.entries) - 2  # the lesson and its links
    assert len(second.entries) == len(first.entries)  # the lesson's old text is forgotten


def test_a_file_is_checked_again_when_what_its_links_point_at_changes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = copy_course(tmp_path)
    (folder / "notes.md").write_text("# Notes\n")
    course_md = folder / "course.md"
    course_md.write_text(course_md.read_text() + "\nSee [the notes](notes.md).\n")
    memo = Memo()
    before = check_path(folder, memo=memo)
    assert not any("there is no notes.md" in p.message for p in before.problems)
    (folder / "notes.md").unlink()  # course.md itself did not change
    after = check_path(folder, memo=Memo(memo.entries))
    assert after == check_path(folder)
    assert any("there is no notes.md" in p.message for p in after.problems)


def test_problems_are_named_by_where_the_course_is_now(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = copy_course(tmp_path)
    lesson = folder / LESSON
    lesson.write_text(lesson.read_text().replace("id:", "id: Not An Id\nold_id:", 1))
    memo = Memo()
    check_path(folder, memo=memo)
    moved = tmp_path / "elsewhere"
    shutil.copytree(folder, moved)
    report = check_path(moved, memo=Memo(memo.entries))
    assert report.problems and report == check_path(moved)
    assert all(p.path.startswith("elsewhere/") for p in report.problems)


def test_the_editor_preview_sends_back_only_what_is_new(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = copy_course(tmp_path)
    lesson = LESSON
    spec, problems, (keys, new) = preview_file(str(folder), lesson, {}, {})
    entries = merged({}, keys, new)
    assert spec is not None and spec.path == lesson and problems == ()
    (folder / lesson).write_text((folder / lesson).read_text() + "\nMore text.\n")
    spec, problems, (keys, new) = preview_file(str(folder), lesson, {}, entries)
    assert "More text." in spec.sections[-1].body_html
    assert len(new) == 2 and len(keys) == len(entries)  # the lesson and its links
    pickle.loads(pickle.dumps(merged(entries, keys, new)))  # it crosses a process boundary

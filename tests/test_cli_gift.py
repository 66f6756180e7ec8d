"""`flask courses gift FILE --into FOLDER`: what the GIFT upload does, for a course kept as files."""
from __future__ import annotations

import shutil

from tests.conftest import GOOD_COURSE

BANK = """// [id:companion]
::Companion::A companion answers every question for a patient. What first?{
=See the patient alone, with a professional interpreter.#Routine care makes it safe to ask.
~Let the companion interpret.#A companion may be the person in control.
}
"""
BROKEN = BANK + "\n::Essay::Describe your service.{}\n"


def _folder(tmp_path):
    folder = tmp_path / "core"
    shutil.copytree(GOOD_COURSE, folder)
    return folder


def test_the_module_is_written_listed_and_checks_clean(runner, tmp_path):
    folder, gift = _folder(tmp_path), tmp_path / "bank.gift"
    gift.write_text(BANK)
    result = runner.invoke(args=["courses", "gift", str(gift), "--into", str(folder),
                                 "--filename", "09-imported", "--title", "Imported check"])
    assert result.exit_code == 0, result.output
    assert "1 question converted into" in result.output and "09-imported.md" in result.output
    assert "{#companion kind=single}" in (folder / "09-imported.md").read_text()
    assert "  - 09-imported.md" in (folder / "course.md").read_text()
    check = runner.invoke(args=["courses", "check", str(folder)])
    assert check.exit_code == 0, check.output


def test_a_broken_question_writes_nothing_unless_told_to(runner, tmp_path):
    folder, gift = _folder(tmp_path), tmp_path / "bank.gift"
    gift.write_text(BROKEN)
    course_md = (folder / "course.md").read_text()
    result = runner.invoke(args=["courses", "gift", str(gift), "--into", str(folder)])
    assert result.exit_code == 1
    assert "1 of the file's questions could not be converted, so nothing was imported" in result.output
    assert "question 2 (line 7): essay question" in result.output
    assert not (folder / "bank.md").exists() and (folder / "course.md").read_text() == course_md

    result = runner.invoke(args=["courses", "gift", str(gift), "--into", str(folder), "--import-rest"])
    assert result.exit_code == 0, result.output
    assert f"{gift}:7: question 2 not converted: essay question" in result.output
    assert (folder / "bank.md").exists() and "  - bank.md" in (folder / "course.md").read_text()


def test_a_name_already_in_the_folder_is_refused(runner, tmp_path):
    folder, gift = _folder(tmp_path), tmp_path / "bank.gift"
    gift.write_text(BANK)
    before = (folder / "02-indicators-quiz.md").read_text()
    result = runner.invoke(args=["courses", "gift", str(gift), "--into", str(folder),
                                 "--filename", "02-indicators-quiz"])
    assert result.exit_code == 1 and "Choose a new file name" in result.output
    assert (folder / "02-indicators-quiz.md").read_text() == before

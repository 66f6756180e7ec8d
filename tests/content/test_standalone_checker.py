"""The course checker runs on its own, outside the project folder, with no settings at all."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import GOOD_COURSE

PROJECT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m trainer.content`` with none of the app's settings in the environment."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("TRAINER_ENV", "SECRET_KEY", "DATABASE_URL", "FLASK_APP")}
    env["PYTHONPATH"] = str(PROJECT)  # the package as installed: found from any folder
    return subprocess.run([sys.executable, "-m", "trainer.content", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_and_guess_run_from_any_folder_without_settings(tmp_path):
    clean = _run("check", GOOD_COURSE, cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert "1 course, 0 errors" in clean.stdout
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "course.md").write_text("---\nid: broken\n---\n")
    result = _run("check", str(broken), cwd=tmp_path)
    assert result.returncode == 1 and "missing field 'title'" in result.stdout
    guess = _run("guess", GOOD_COURSE, cwd=tmp_path)
    assert "passable by guessing" in guess.stdout, guess.stderr

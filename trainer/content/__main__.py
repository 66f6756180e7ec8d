"""The course checker on its own: ``python -m trainer.content check PATH`` (or the
``frontline-courses`` command), from any folder, with no settings, database or secret key.

    frontline-courses check courses/            # problems as path:line: message; exit 1 on any error
    frontline-courses check courses/ --json     # the same report as JSON
    frontline-courses guess courses/            # what guessing strategies would score; exit 1 if one passes

``flask --app wsgi courses check`` does the same inside the project.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .check import check_path, find_courses, format_text, to_json
from .course import parse_course
from .cues import format_guesses, guess_course


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="frontline-courses", description="Check courses written in Markdown.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="Validate course files; exit status 1 on any error.")
    check.add_argument("path", type=Path)
    check.add_argument("--json", action="store_true", help="Print the report as JSON.")
    guess = commands.add_parser("guess", help="Expected score of guessing strategies on every quiz.")
    guess.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.command == "check":
        report = check_path(args.path)
        print(json.dumps(to_json(report), indent=2, ensure_ascii=False) if args.json else format_text(report))
        return 0 if report.ok else 1
    guesses = []
    for folder in find_courses(args.path):
        parsed = parse_course(folder)
        if parsed.spec is not None:
            guesses.extend(guess_course(parsed.spec, folder))
    print(format_guesses(guesses), end="")
    return 1 if any(g.passing for g in guesses) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Run every benchmark (or those named) and print their figures.

`python -m bench scale --large 20000` passes what follows a benchmark's name to it (the scale
benchmark takes --small and --large, numbers of learners)."""
from __future__ import annotations

import sys

from bench import certificates, cohorts, content, editor, load, mail, scale

BENCHMARKS = {"content": content.run, "editor": editor.run, "cohorts": cohorts.run, "certificates": certificates.run,
              "mail": mail.run, "load": load.run, "scale": scale.run}
TAKES_OPTIONS = {"scale"}


def main(args: list[str]) -> None:
    names: list[str] = []
    options: dict[str, list[str]] = {}
    for arg in args:
        if names and names[-1] in TAKES_OPTIONS and arg not in BENCHMARKS:
            options.setdefault(names[-1], []).append(arg)  # an option or its value
        else:
            names.append(arg)
    for name in names or list(BENCHMARKS):
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        if name in TAKES_OPTIONS:
            BENCHMARKS[name](options.get(name, []))
        else:
            BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])

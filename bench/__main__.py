"""Run every benchmark (or those named) and print their figures."""
from __future__ import annotations

import sys

from bench import certificates, cohorts, content, editor, load, mail

BENCHMARKS = {"content": content.run, "editor": editor.run, "cohorts": cohorts.run, "certificates": certificates.run,
              "mail": mail.run, "load": load.run}


def main(names: list[str]) -> None:
    for name in names or list(BENCHMARKS):
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])

"""Runs Ralph's LRS API (the one `ralph runserver -b fs` runs) on a loopback port, with one change:
Ralph 5.1's file-system LRS backend writes with the file backend's default operation, "create",
which refuses a file that exists, so every POST after the first answered 500. Here it appends
each batch to its file, as a store does. Started by tests/support/lrs.py with Ralph's own Python
(`.venv-lrs`), never imported by the test suite itself.

Usage: python ralph_server.py HOST PORT (the settings come from Ralph's RALPH_* environment)."""
from __future__ import annotations

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    from ralph.api import app

    uvicorn.run(app, host=sys.argv[1], port=int(sys.argv[2]), log_level="info")

"""Both languages are complete: every UI string in the code has a Dutch translation."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _extract(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        return read_po(f)


def test_dutch_catalogue_translates_every_ui_string(tmp_path):
    template = _extract(tmp_path)
    with (ROOT / "trainer/translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        dutch = read_po(f, locale="nl")
    assert not dutch.fuzzy, "the catalogue header is marked fuzzy, so it would not compile"
    untranslated = []
    for message in template:
        if not message.id:
            continue
        translated = dutch.get(message.id)
        strings = [] if translated is None else (
            list(translated.string) if isinstance(translated.string, tuple) else [translated.string])
        if not strings or not all(strings) or translated.fuzzy:
            untranslated.append(message.id)
    assert untranslated == [], "run `make messages` and translate these"


def test_placeholders_survive_translation():
    with (ROOT / "trainer/translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        dutch = read_po(f, locale="nl")
    import re

    for message in dutch:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", s)) == wanted, message.id


def test_dutch_addresses_the_reader_one_way():
    """The Dutch interface says "je", like the Dutch courses: a page that switches to the formal
    "u" halfway reads as two voices."""
    import re

    with (ROOT / "trainer/translations/nl/LC_MESSAGES/messages.po").open("rb") as f:
        dutch = read_po(f, locale="nl")
    formal = [s for message in dutch if message.id
              for s in (message.string if isinstance(message.string, tuple) else (message.string,))
              if re.search(r"\b(u|uw|uzelf)\b", s, re.IGNORECASE)]
    assert formal == []

"""A small case in two chapters, valid, for tests of the parser and of play; its course; and the
moves a player makes on a case's page (a learner's run or a cohort's case)."""
from __future__ import annotations

import re
from pathlib import Path

COURSE_MD = """---
id: wrap
title: Wraparound cases
summary: Cases that pass from sector to sector.
language: en
sectors: [health, police, counselling, community]
estimated_minutes: 30
modules:
  - case.md
---

Cases.
"""

CASE = """---
id: case-small
kind: case
title: "Case: Ana"
overview: A small case in two chapters. Fictional.
intensity: light
objectives:
  - Pass on only what the next sector needs.
references:
  - A source.
country: CA
chapters:
  - {id: community, sector: community, title: A neighbour notices}
  - {id: clinic, sector: health, specialty: emergency, title: The clinic}
facts:
  trust: Ana trusts the people she has met.
  consent: Ana agreed that her details may be passed on.
risks:
  alerted: The man who controls Ana has noticed.
rules:
  privacy: Health information is shared only with consent outside an emergency. <https://example.org/law>
---

## At the bus stop {#bus-stop chapter=community}

Ana waits at the bus stop with a bandaged hand.

- Ask quietly whether she is all right. -> talk {#ask sets=trust}
  > She looks up. "It is my hand."
- Shout at the man who drops her off. -> end-alerted {#shout sets=alerted}
  > He drives off with her.

## A quiet talk {#talk}

She says her boss keeps her passport.

- Ask whether she would like you to call a clinic for her. -> refer {#offer sets=consent}
  > She nods: "Yes, the clinic. Not the police."
- Call the clinic without asking her. -> refer {#just-call}
  > She did not say yes.

## Telling the clinic {#refer handoff=clinic}

You call the walk-in clinic. What do you tell them?

- [x] Her hand needs to be seen {#told-hand}
  > It is why she needs the clinic.
- [ ] Your guess about her immigration status {#told-status}
  > Not yours to share.
- [x] She agreed that you call {#told-consent when=consent rule=privacy}
  > Only if she did agree.

## He drove off with her {#end-alerted ending=harmful}

Confronting the man put Ana at risk.

## Triage {#triage chapter=clinic}

Ana arrives at the clinic.

- Treat her hand, and see her alone as the referral asked. -> end-best {#alone needs="told-hand told-consent"}
  > She is seen alone.
- Treat her hand with the man present. -> end-ok {#with-man}
  > She says nothing more.
- Call the police against her wishes. -> end-harm {#police needs=!consent}
  > She stops trusting the clinic.

## Seen, and safe {#end-best ending=best}

The chain held.

## Treated, not heard {#end-ok ending=acceptable}

Her hand is treated.

## Trust broken {#end-harm ending=harmful}

She will not come back.
"""


def write_course(root: Path) -> Path:
    """The course with the case, as a folder under ``root``."""
    folder = root / "wrap"
    folder.mkdir()
    (folder / "course.md").write_text(COURSE_MD)
    (folder / "case.md").write_text(CASE)
    return folder


def choose(client, url: str, text: str):
    """Take the choice whose label begins with ``text`` on the case's current page."""
    page = client.get(url).get_data(as_text=True)
    node = re.search(r'name="node" value="([^"]+)"', page).group(1)
    key = re.search(r'value="([0-9a-f]{16})" required>\s*<label for="[^"]+">' + re.escape(text), page).group(1)
    return client.post(url, data={"node": node, "choice": key})


def hand_off(client, url: str, texts: list[str], note: str = ""):
    """Send the hand-off on the case's current page with the items whose labels begin with ``texts``."""
    page = client.get(url).get_data(as_text=True)
    node = re.search(r'name="node" value="([^"]+)"', page).group(1)
    keys = [re.search(r'name="item" value="([0-9a-f]{16})">\s*<label for="[^"]+">' + re.escape(text), page).group(1)
            for text in texts]
    return client.post(url, data={"node": node, "action": "handoff", "item": keys, "note": note})

"""Cases: chapters by sector, hand-offs, facts that carry, rules; each mistake at its line."""
from __future__ import annotations

import pytest

from tests.support.case_sample import CASE
from trainer.content.parse import parse_module_text


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_module_text(text, "c.md").problems]


def line_of(text: str, needle: str) -> int:
    return text.split("\n").index(next(line for line in text.split("\n") if needle in line)) + 1


def test_a_case_reads_into_chapters_hand_offs_and_facts():
    spec = parse_module_text(CASE, "c.md").spec
    assert problems(CASE) == []
    assert spec.kind == "case" and spec.start == "bus-stop"
    assert [(c.id, c.sector, c.specialty, c.start) for c in spec.case.chapters] == [
        ("community", "community", None, "bus-stop"), ("clinic", "health", "emergency", "triage")]
    assert spec.case.country == "CA" and dict(spec.case.facts)["consent"].startswith("Ana agreed")
    assert dict(spec.case.risks) == {"alerted": "The man who controls Ana has noticed."}
    assert 'href="https://example.org/law"' in dict(spec.case.rules)["privacy"]
    refer = next(n for n in spec.nodes if n.id == "refer")
    assert refer.handoff == "clinic" and refer.chapter == "community" and not refer.choices
    assert [(i.id, i.share, i.when, i.rule) for i in refer.items] == [
        ("told-hand", True, None, None), ("told-status", False, None, None),
        ("told-consent", True, "consent", "privacy")]
    assert refer.items[2].should_share({"consent"}) and not refer.items[2].should_share(set())
    alone = next(n for n in spec.nodes if n.id == "triage").choices[0]
    assert alone.needs == ("told-hand", "told-consent") and alone.sets == ()
    assert next(n for n in spec.nodes if n.id == "triage").choices[2].needs == ("!consent",)


@pytest.mark.parametrize("old, new, needle, message", [
    ("country: CA\n", "", "kind: case", "a case needs country: where it is set (CA, US, GB, NL)"),
    ("country: CA", "country: FR", "country:", "country must be one of CA, US, GB, NL, not 'FR'"),
    ("{id: clinic, sector: health,", "{id: clinic, sector: hospital,", "id: clinic",
     "chapter 'clinic': sector must be one of health, police, counselling, community"),
    ("{#bus-stop chapter=community}", "{#bus-stop}", "{#bus-stop",
     "the first node of a case starts its first chapter: add chapter=ID to it"),
    ("{#triage chapter=clinic}", "{#triage chapter=clinik}", "{#triage",
     "chapter 'clinik' is not listed under chapters:; did you mean 'clinic'?"),
    ("{#refer handoff=clinic}", "{#refer handoff=police}", "{#refer",
     "a hand-off leads to the next chapter, 'clinic', not 'police'"),
    ("-> refer {#offer sets=consent}", "-> triage {#offer sets=consent}", "{#offer",
     "choice leads to 'triage' in chapter 'clinic': a choice stays in its chapter, and a hand-off leads on "
     "to the next"),
    ("{#ask sets=trust}", "{#ask sets=trusted}", "{#ask",
     "fact 'trusted' is not listed under facts: or risks: and is no hand-off item's id; did you mean 'trust'?"),
    ("{#told-consent when=consent rule=privacy}", "{#told-consent when=consent rule=privacy-law}", "{#told-consent",
     "rule 'privacy-law' is not listed under rules:; did you mean 'privacy'?"),
    ("{#with-man}", "{#with-man needs=trust}", "{#triage",
     "node 'triage': every choice needs a fact, so a learner without them would be stuck; keep one choice "
     "that needs nothing"),
    ("- [ ] Your guess about her immigration status {#told-status}", "- [x] Your guess {#told-status}", "{#refer",
     "a hand-off needs at least one item to pass on (- [x]) and one that must not be shared (- [ ])"),
    ("## Seen, and safe {#end-best ending=best}", "## Seen, and safe {#end-best ending=acceptable}", "kind: case",
     "the last chapter, 'clinic', needs an ending=best"),
])
def test_each_mistake_is_reported_at_its_line(old, new, needle, message):
    text = CASE.replace(old, new)
    assert text != CASE
    assert f"c.md:{line_of(text, needle)}: {message}" in problems(text)


def test_a_fact_needed_before_anything_can_set_it_is_refused():
    text = CASE.replace("{#ask sets=trust}", "{#ask sets=trust needs=consent}")
    assert f"c.md:{line_of(text, '{#ask')}: fact 'consent' is needed here, but no choice or hand-off item " \
           "before this point can set it" in problems(text)


def test_a_hand_off_item_without_an_explanation_or_a_chapter_without_a_hand_off():
    text = CASE.replace("  > Not yours to share.\n", "")
    assert f"c.md:{line_of(text, '{#told-status')}: hand-off item has no explanation: add an indented > quote " \
           "under it that says why it belongs in the referral, or why not" in problems(text)
    start, end = CASE.index("## Telling the clinic"), CASE.index("## He drove off")
    cut = CASE[:start] + CASE[end:]
    cut = cut.replace("-> refer {#offer sets=consent}", "-> end-alerted {#offer sets=consent}").replace(
        "-> refer {#just-call}", "-> end-alerted {#just-call}")
    found = problems(cut)
    assert (f"c.md:{line_of(cut, '{#bus-stop')}: chapter 'community' has no hand-off: add a node with "
            "handoff=clinic") in found
    assert any("node 'triage' cannot be reached" in p for p in found)


def test_case_fields_on_another_kind_are_refused():
    text = CASE.replace("kind: case", "kind: scenario")
    assert f"c.md:{line_of(text, 'country:')}: country: only a case has it" in problems(text)


def test_a_risk_is_a_fact_of_its_own_kind():
    text = CASE.replace("risks:\n  alerted:", "risks:\n  trust: Said twice.\n  alerted:")
    assert f"c.md:{line_of(text, 'risks:')}: 'trust' is under both facts: and risks:; a fact is one or the other" \
        in problems(text)
    unknown = CASE.replace("{#shout sets=alerted}", "{#shout sets=alarmed}")
    assert any("fact 'alarmed' is not listed under facts: or risks:" in p for p in problems(unknown))

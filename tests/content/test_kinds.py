"""The question-kind registry: each handler's form, decoding, order and review rule.

The review rule: with the key (after a pass, or where the course shows it) a review shows every
option, the right ones and all feedback; without it (after a fail with show_wrong_answers) it
shows only what the learner chose or typed, so it never reveals a key they did not choose.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from trainer.content import KINDS, BadAnswer, FormKeys, kind_of, parse_module_text
from trainer.content.spec import QUESTION_KINDS

SECRET = b"test-secret"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

QUIZ = """## Single {#single kind=single}

Stem.

- [ ] Alpha {#a}
  > Alpha is wrong because of reasons.
- [x] Bravo {#b}
  > Bravo is right because of reasons.
- [ ] Charlie {#c}
  > Charlie is wrong too.
- [ ] None of these {#none fixed=true}
  > There is a right answer above.

::: explanation
The single explanation.
:::

## Multiple {#multiple kind=multiple}

- [x] Delta {#d}
  > Delta feedback.
- [x] Echo {#e}
  > Echo feedback.
- [ ] Foxtrot {#f}
  > Foxtrot feedback.

::: explanation
The multiple explanation.
:::

## True or false {#tf kind=true-false}

- [x] False {#false}
  > False feedback.
- [ ] True {#true}
  > True feedback.

::: explanation
The true-false explanation.
:::

## Short {#short kind=short}

- [x] Palermo {#palermo}
  > Palermo feedback.
- [ ] Geneva {#geneva}
  > Geneva feedback.

::: explanation
The short explanation.
:::

## Numerical {#num kind=numerical}

- [x] 42 ± 0.5 {#exact}
  > Exact feedback.
- [x] 40..45 {#close weight=50}
  > Close feedback.
- [ ] 24 {#swapped}
  > Swapped feedback.

::: explanation
The numerical explanation.
:::

## Matching {#match kind=matching}

- Recruitment => Act {#act}
  > Recruitment is an act.
- Deception => Means {#means}
  > Deception is a means.
- Forced labour => Purpose {#purpose}
  > Forced labour is a purpose.

::: explanation
The matching explanation.
:::
"""


@pytest.fixture
def questions(modules):
    parsed = parse_module_text(modules.text("quiz", QUIZ))
    assert parsed.problems == ()
    return {q.id: q for q in parsed.spec.questions}


def keys(token: str = "token-1") -> FormKeys:
    return FormKeys(SECRET, token)


def review(question, response, reveal, token="token-1"):
    kind = kind_of(question)
    return kind.review(question, response, kind.grade(question, response), reveal, keys(token))


def shown(item) -> str:
    """Everything a template could print from a review or view, as one text."""
    return repr(item)


# --- the registry ---------------------------------------------------------------------------

def test_every_kind_has_one_handler_and_one_partial():
    assert tuple(KINDS) == QUESTION_KINDS
    for name, kind in KINDS.items():
        assert kind.name == name
        partial = (TEMPLATES / kind.partial).read_text("utf-8")
        # answer(view, n, given): given holds the answers already sent when a form is shown again
        assert "{% macro answer(view, n, given={})" in partial and "{% macro review(r)" in partial


# --- the form: views hold no answers, decoding refuses what the form did not offer ------------

@pytest.mark.parametrize("qid", ["single", "multiple", "tf", "short", "num", "match"])
def test_a_view_tells_nothing_about_the_key(questions, qid):
    question = questions[qid]
    view = kind_of(question).view(question, keys())
    text = shown(view)
    for option in question.options:
        assert "feedback" not in text and (option.feedback_html or "-") not in text
        assert f"'{option.id}'" not in text  # keys, never the ids written in the source
    assert question.explanation_html not in text
    if qid in ("short", "num"):
        assert view.choices == () and "Palermo" not in text and "42" not in text
    assert all(re.fullmatch(r"[0-9a-f]{16}", c.key) for c in view.choices)


def test_choice_kinds_decode_their_own_keys_only(questions):
    single, multiple = questions["single"], questions["multiple"]
    view = KINDS["single"].view(single, keys())
    key_of = {c.html: c.key for c in view.choices}
    assert KINDS["single"].decode(single, {"q-single": [key_of["Bravo"]]}, keys()) == {"b"}
    assert KINDS["single"].decode(single, {}, keys()) == set()
    with pytest.raises(BadAnswer):  # two answers to a single-choice question
        KINDS["single"].decode(single, {"q-single": [key_of["Bravo"], key_of["Alpha"]]}, keys())
    with pytest.raises(BadAnswer):  # the same option in another attempt's form
        KINDS["single"].decode(single, {"q-single": [keys("token-2").key("single", "b")]}, keys())
    with pytest.raises(BadAnswer):  # an option of another question
        KINDS["single"].decode(single, {"q-single": [keys().key("multiple", "d")]}, keys())
    both = [keys().key("multiple", "d"), keys().key("multiple", "e")]
    assert KINDS["multiple"].decode(multiple, {"q-multiple": both}, keys()) == {"d", "e"}


def test_typed_kinds_decode_one_value(questions):
    short = questions["short"]
    assert KINDS["short"].decode(short, {"q-short": ["  Palermo "]}, keys()) == "  Palermo "
    assert KINDS["short"].decode(short, {}, keys()) == ""
    assert len(KINDS["short"].decode(short, {"q-short": ["x" * 900]}, keys())) == 500
    with pytest.raises(BadAnswer):
        KINDS["short"].decode(short, {"q-short": ["a", "b"]}, keys())


def test_matching_decodes_pairs_by_this_forms_field_names(questions):
    match = questions["match"]
    kind = KINDS["matching"]
    view = kind.view(match, keys())
    right_key = {c.html: c.key for c in view.choices}
    field = {p.html: p.key for p in view.pairs}
    form = {field["Recruitment"]: [right_key["Act"]], field["Deception"]: [right_key["Purpose"]],
            field["Forced labour"]: [""]}
    assert kind.decode(match, form, keys()) == {"act": "act", "means": "purpose", "purpose": ""}
    assert kind.field_names(match, keys()) == set(field.values())
    with pytest.raises(BadAnswer):
        kind.decode(match, {field["Recruitment"]: [keys("token-2").key("match", "right:Act")]}, keys())


# --- the order: per attempt, stable for its form, pinned options stay -----------------------------

def _order(question, token):
    view = kind_of(question).view(question, keys(token))
    return [c.html for c in (view.pairs or view.choices)]


def test_options_are_shuffled_per_form_and_stable_for_a_form(questions):
    single = questions["single"]
    assert _order(single, "t-1") == _order(single, "t-1")
    orders = {tuple(_order(single, f"t-{i}")) for i in range(60)}
    assert len(orders) == 6  # every order of the three movable options appears
    assert all(order[3] == "None of these" for order in orders)  # fixed=true keeps its place


def test_the_key_lands_in_every_position(questions):
    single = questions["single"]
    positions = Counter(_order(single, f"t-{i}").index("Bravo") for i in range(300))
    assert set(positions) == {0, 1, 2} and min(positions.values()) > 60


def test_true_false_keeps_true_then_false(questions):
    assert {tuple(_order(questions["tf"], f"t-{i}")) for i in range(20)} == {("True", "False")}


def test_matching_shuffles_both_sides(questions):
    match, kind = questions["match"], KINDS["matching"]
    lefts = {tuple(_order(match, f"t-{i}")) for i in range(40)}
    rights = {tuple(c.html for c in kind.view(match, keys(f"t-{i}")).choices) for i in range(40)}
    assert len(lefts) > 1 and len(rights) > 1
    # The two sides are ordered independently: position on the left says nothing about the right.
    aligned = sum(_order(match, f"t-{i}").index("Recruitment")
                  == [c.html for c in kind.view(match, keys(f"t-{i}")).choices].index("Act") for i in range(60))
    assert aligned < 60


def test_fixed_is_only_for_kinds_whose_options_move(modules):
    body = ("## Q {#q kind=true-false}\n\n- [x] True {#true fixed=true}\n  > Y.\n- [ ] False {#false}\n  > N.\n\n"
            "::: explanation\nE.\n:::\n\n"
            "## R {#r kind=single}\n\n- [x] A {#a fixed=yes}\n  > Y.\n- [ ] B {#b}\n  > N.\n\n"
            "::: explanation\nE.\n:::\n")
    assert modules.problems("quiz", body) == [
        "m.md:14: fixed= is only for single and multiple questions (true-false keeps True, False; "
        "other kinds show no options to pin)",
        "m.md:25: fixed must be true or false, not 'yes'",
    ]


# --- the review rule, kind by kind ----------------------------------------------------------

def test_single_without_the_key_shows_only_the_learners_choice(questions):
    single = questions["single"]
    wrong = review(single, {"a"}, reveal=False)
    assert [(line.html, line.chosen, line.right) for line in wrong.lines] == [("Alpha", True, False)]
    assert "Bravo" not in shown(wrong) and wrong.explanation_html is None and wrong.verdict == "wrong"
    right = review(single, {"b"}, reveal=False)
    assert [(line.html, line.right) for line in right.lines] == [("Bravo", True)]  # their own choice
    full = review(single, {"a"}, reveal=True)
    assert {line.html for line in full.lines if line.right} == {"Bravo"}
    assert len(full.lines) == 4 and full.explanation_html


def test_single_review_follows_the_learners_order(questions):
    single = questions["single"]
    assert [line.html for line in review(single, set(), reveal=True, token="t-7").lines] == _order(single, "t-7")


def test_multiple_without_the_key_marks_only_chosen_options(questions):
    multiple = questions["multiple"]
    partly = review(multiple, {"d", "f"}, reveal=False)
    assert {(line.html, line.right) for line in partly.lines} == {("Delta", True), ("Foxtrot", False)}
    assert "Echo" not in shown(partly) and partly.verdict == "wrong"  # a wrong box cancels a right one
    assert review(multiple, {"d"}, reveal=False).verdict == "partly"


def test_true_false_without_the_key(questions):
    tf = review(questions["tf"], {"true"}, reveal=False)
    assert [(line.html, line.chosen, line.right) for line in tf.lines] == [("True", True, False)]
    assert "False feedback" not in shown(tf)


def test_typed_answers_without_the_key_show_what_was_typed(questions):
    short = review(questions["short"], "geneva", reveal=False)
    assert short.typed == "geneva" and "Palermo" not in shown(short)
    assert [line.feedback_html for line in short.lines] == ["<p>Geneva feedback.</p>"]
    unknown = review(questions["short"], "Rome", reveal=False)
    assert unknown.lines == () and "Palermo" not in shown(unknown)
    close = review(questions["num"], "44", reveal=False)
    assert close.verdict == "partly" and "42" not in shown(close) and "40..45" not in shown(close)
    assert [line.feedback_html for line in close.lines] == ["<p>Close feedback.</p>"]
    full = review(questions["num"], "44", reveal=True)
    assert "42 ± 0.5" in shown(full) and full.explanation_html


def test_matching_without_the_key_reveals_no_pair_the_learner_missed(questions):
    """The bug this registry fixed: every pair was labelled 'your choice', even a blank one, and
    every pair's feedback (which names its match) was shown."""
    match = questions["match"]
    result = review(match, {"act": "act", "means": "purpose", "purpose": ""}, reveal=False)
    lines = {line.html: line for line in result.lines}
    assert lines["Recruitment"].chosen and lines["Recruitment"].right
    assert lines["Recruitment"].feedback_html == "<p>Recruitment is an act.</p>"  # matched right: theirs
    assert lines["Deception"].chosen and not lines["Deception"].right
    assert lines["Deception"].match_text == "Purpose" and lines["Deception"].feedback_html is None
    assert not lines["Forced labour"].chosen and lines["Forced labour"].match_text is None
    assert lines["Forced labour"].feedback_html is None
    text = shown(result)
    assert "Deception is a means" not in text and "Forced labour is a purpose" not in text
    assert "'Means'" not in text and all(line.key_text is None for line in result.lines)
    assert result.explanation_html is None


def test_matching_with_the_key_shows_every_pair(questions):
    match = questions["match"]
    result = review(match, {"act": "act", "means": "purpose", "purpose": ""}, reveal=True)
    lines = {line.html: line for line in result.lines}
    assert lines["Deception"].key_text == "Means" and lines["Forced labour"].key_text == "Purpose"
    assert lines["Recruitment"].key_text is None  # matched right: nothing to add
    assert all(line.feedback_html for line in result.lines) and result.explanation_html


@pytest.mark.parametrize("qid, response", [
    ("single", {"c"}), ("multiple", {"f"}), ("tf", {"true"}), ("short", "nowhere"), ("num", "24"),
    ("match", {"act": "means", "means": "", "purpose": "act"}),
])
def test_no_kind_reveals_an_unchosen_key_after_a_fail(questions, qid, response):
    question = questions[qid]
    result = review(question, response, reveal=False)
    text = shown(result)
    assert result.explanation_html is None
    for option in question.options:
        if option.correct and not any(line.chosen and line.right for line in result.lines):
            assert option.feedback_html not in text
    if qid == "match":
        assert all(line.key_text is None and line.feedback_html is None for line in result.lines)
    elif qid in ("short", "num"):
        assert "Palermo" not in text and "42" not in text
    else:
        assert not any(line.right for line in result.lines)
        assert {line.html for line in result.lines} <= {o.text_html for o in question.options
                                                       if o.id in response}


def test_an_answer_counts_only_when_the_question_is_answered():
    from trainer.content.kinds.choice import Single
    from trainer.content.kinds.typed import Short

    question = None  # choices and typed answers are judged by the response alone (matching: tests/web)
    assert not Single().answered(question, set()) and Single().answered(question, {"a"})
    assert not Short().answered(question, "   ") and Short().answered(question, "Palermo")

"""Quiz rules, each reported at its line (the body starts at line 12)."""
from trainer.content import parse_module_text

EXPLAIN = "::: explanation\nWhy.\n:::\n"


def question(head: str, options: str, explanation: str = EXPLAIN) -> str:
    """A question: heading on line 12, stem on 14, options from line 16."""
    return f"## {head}\n\nStem.\n\n{options}\n{explanation}"


def test_question_heading_needs_id_and_kind(modules):
    body = question("Q", "- [x] A {#a}\n  > Yes.") + question("Q2 {#q2 kind=essay}", "")
    assert modules.problems("quiz", body) == [
        "m.md:12: question heading has no {#id}",
        "m.md:12: question heading has no kind= (single, multiple, true-false, short, "
        "numerical, matching)",
        "m.md:21: unknown question kind 'essay' (use one of: single, multiple, true-false, "
        "short, numerical, matching)",
    ]


def test_a_quiz_needs_a_question(modules):
    assert modules.problems("quiz", "Intro only.\n") == [
        "m.md:3: a quiz needs at least one ## question"]


def test_single_needs_exactly_one_correct_option(modules):
    none = question("Q {#q kind=single}", "- [ ] A {#a}\n  > No.\n- [ ] B {#b}\n  > No.")
    two = question("R {#r kind=single}", "- [x] A {#a}\n  > Yes.\n- [x] B {#b}\n  > Yes.")
    assert modules.problems("quiz", none + "\n" + two) == [
        "m.md:12: question has no correct answer: mark one option [x]",
        "m.md:24: question needs exactly one [x] option without a weight, not 2 (give the others "
        "weight=50 for partial credit, or use kind=multiple)",
    ]


def test_single_gives_partial_credit_for_a_weighted_x_option(modules):
    good = question("Q {#q kind=single}", "- [x] A {#a}\n  > Yes.\n- [x] B {#b weight=50}\n  > Half.\n"
                                          "- [ ] C {#c}\n  > No.")
    assert modules.problems("quiz", good) == []
    only_partial = question("Q {#q kind=single}", "- [x] A {#a weight=50}\n  > Half.\n- [ ] B {#b weight=-50}\n  > No.")
    assert modules.problems("quiz", only_partial) == [
        "m.md:12: question needs exactly one [x] option without a weight, not 0 (give the others "
        "weight=50 for partial credit, or use kind=multiple)",
        "m.md:18: only [x] answers take a weight",
    ]


def test_every_option_needs_an_id_and_feedback(modules):
    options = "- [x] A\n  > Yes.\n- [ ] B {#b}\n- [ ] C {#b}\n  > No."
    assert modules.problems("quiz", question("Q {#q kind=single}", options)) == [
        "m.md:16: option has no {#id}",
        "m.md:18: option has no feedback: add an indented > quote under it",
        "m.md:19: duplicate id 'b' (first used on line 18)",
    ]


def test_a_question_needs_one_explanation(modules):
    options = "- [x] A {#a}\n  > Yes.\n- [ ] B {#b}\n  > No."
    assert modules.problems("quiz", question("Q {#q kind=single}", options, "")) == [
        "m.md:12: question has no ::: explanation"]
    assert modules.problems("quiz", question("Q {#q kind=single}", options, EXPLAIN * 2)) == [
        "m.md:23: a question has only one ::: explanation"]


def test_only_options_follow_the_first_option(modules):
    options = "- [x] A {#a}\n  > Yes.\n\nStray text.\n- B without a box {#b}\n- [ ] C {#c}\n  > No."
    assert modules.problems("quiz", question("Q {#q kind=single}", options)) == [
        "m.md:19: only options, their > feedback and ::: explanation may follow the first option",
        "m.md:20: an option needs a [ ] or [x] box: - [x] Text {#id}",
    ]


def test_too_few_options_and_no_options(modules):
    one = question("Q {#q kind=multiple}", "- [x] A {#a}\n  > Yes.")
    empty = question("R {#r kind=short}", "")
    assert modules.problems("quiz", one + "\n" + empty) == [
        "m.md:12: question needs at least 2 options",
        "m.md:22: question has no options",
    ]


def test_true_false_ids(modules):
    options = "- [x] Yes {#yes}\n  > Right.\n- [ ] No {#no}\n  > Wrong."
    assert modules.problems("quiz", question("Q {#q kind=true-false}", options)) == [
        "m.md:12: a true-false question has exactly two options, with ids true and false"]


def test_multiple_weights(modules):
    over = ("- [x] A {#a weight=80}\n  > Y.\n- [x] B {#b weight=30}\n  > Y.\n"
            "- [ ] C {#c weight=10}\n  > N.")
    full = "- [x] A {#a weight=100}\n  > Y.\n- [x] B {#b}\n  > Y."
    assert modules.problems("quiz", question("Q {#q kind=multiple}", over)) == [
        "m.md:12: the [x] weights add up to 110; they must add up to 100",
        "m.md:20: weight of a [ ] option must be from -100 to 0",
    ]
    assert modules.problems("quiz", question("Q {#q kind=multiple}", full)) == [
        "m.md:12: the [x] weights add up to 100, leaving nothing for the [x] options without "
        "a weight"]


def test_weight_only_where_it_means_something(modules):
    options = "- [x] A {#a weight=50}\n  > Y.\n- [ ] B {#b}\n  > N."
    options = "- [x] True {#true weight=50}\n  > Y.\n- [ ] False {#false}\n  > N."
    assert modules.problems("quiz", question("Q {#q kind=true-false}", options)) == [
        "m.md:16: weight= is only for single, multiple, short and numerical questions"]


def test_numerical_answers(modules):
    options = ("- [x] 42 ± x {#a weight=50}\n  > Y.\n- [x] 5..1 {#b weight=50}\n  > Y.\n"
               "- [ ] 7 {#c weight=20}\n  > N.")
    assert modules.problems("quiz", question("Q {#q kind=numerical}", options)) == [
        "m.md:12: a numerical question needs an [x] answer with full marks (no weight, or "
        "weight=100)",
        "m.md:16: '42 ± x' is not a number: write 42, 42 ± 0.5 or 40..45",
        "m.md:18: range 5..1: the first number must not be the larger",
        "m.md:20: only [x] answers take a weight",
    ]


def test_numerical_forms_are_read(modules):
    options = ("- [x] 42 ± 0.5 {#a}\n  > Y.\n- [x] 40..45 {#b weight=50}\n  > Y.\n"
               "- [x] 3,5 +- 1 {#c}\n  > Y.\n- [ ] -7 {#d}\n  > N.")
    parsed = parse_module_text(modules.text("quiz", question("Q {#q kind=numerical}", options)))
    assert parsed.ok
    got = [(o.low, o.high, o.weight) for o in parsed.spec.questions[0].options]
    assert got == [(41.5, 42.5, None), (40, 45, 50), (2.5, 4.5, None), (-7, -7, None)]


def test_matching_pairs(modules):
    options = "- Left => Right {#a}\n- [x] Boxed => Pair {#b}\n- No arrow {#c}"
    assert modules.problems("quiz", question("Q {#q kind=matching}", options)) == [
        "m.md:17: matching pairs have no [ ] box: - Left => Right {#id}",
        "m.md:18: a matching pair is written - Left => Right {#id}",
    ]
    one = question("Q {#q kind=matching}", "- A => B {#a}")
    assert modules.problems("quiz", one) == ["m.md:12: question needs at least 2 options"]


def test_short_needs_an_accepted_answer(modules):
    options = "- [ ] Geneva {#geneva}\n  > No."
    assert modules.problems("quiz", question("Q {#q kind=short}", options)) == [
        "m.md:12: question has no correct answer: mark one option [x]"]


def test_points(modules):
    options = "- [x] A {#a}\n  > Y.\n- [ ] B {#b}\n  > N."
    assert modules.problems("quiz", question("Q {#q kind=single points=0}", options)) == [
        "m.md:12: points must be a whole number of at least 1, not '0'"]


def test_question_spec(modules):
    options = "- [x] A *bold* {#a}\n  > Yes.\n\n  > More.\n- [ ] B {#b}\n  > No."
    head = 'Q {#q kind=single tags="control, health" points=2}'
    parsed = parse_module_text(modules.text("quiz", question(head, options)))
    assert parsed.ok
    q = parsed.spec.questions[0]
    assert (q.id, q.kind, q.title, q.tags, q.points) == ("q", "single", "Q",
                                                        ("control", "health"), 2)
    assert q.stem_html == "<p>Stem.</p>"
    assert q.explanation_html == "<p>Why.</p>"
    assert q.options[0].text_html == "A <em>bold</em>"
    assert q.options[0].feedback_html == "<p>Yes.</p>\n<p>More.</p>"
    assert [o.correct for o in q.options] == [True, False]


def test_escaped_syntax_is_text(modules):
    """What the GIFT converter escapes is not read as structure."""
    options = "- [x] A \\{#not-an-id} {#a}\n  > Y.\n- [ ] x =\\> y {#b}\n  > N."
    parsed = parse_module_text(modules.text("quiz", question("Q {#q kind=single}", options)))
    assert parsed.ok
    assert parsed.spec.questions[0].options[0].text_html == "A {#not-an-id}"


def test_matching_takes_extra_right_sides_but_needs_two_pairs(modules):
    good = question("Q {#q kind=matching}", "- Cat => cat food {#a}\n- Dog => dog food {#b}\n- => bird seed {#c}")
    assert modules.problems("quiz", good) == []
    bad = question("Q {#q kind=matching}",
                   "- Cat => cat food {#a}\n- => cat food {#b}\n  > Never shown.\n- => seed {#c}")
    assert modules.problems("quiz", bad) == [
        "m.md:12: question needs at least 2 pairs with text on both sides of =>",
        "m.md:12: the extra right side 'cat food' is already the answer of a pair",
        "m.md:17: an extra right side (nothing left of =>) is never chosen as right: it takes no feedback",
    ]


def test_short_answers_take_partial_credit_and_wildcards(modules):
    good = question("Q {#q kind=short}", "- [x] Amsterdam {#a}\n  > Yes.\n- [x] A*dam {#b weight=50}\n  > Close.\n"
                                         "- [ ] Rotterdam {#c}\n  > No.")
    assert modules.problems("quiz", good) == []
    bad = question("Q {#q kind=short}",
                   "- [x] Amsterdam {#a weight=50}\n  > Close.\n- [ ] Rotterdam {#c weight=-10}\n  > No.")
    assert modules.problems("quiz", bad) == [
        "m.md:12: a short question needs an [x] answer with full marks (no weight, or weight=100)",
        "m.md:18: only [x] answers take a weight",
    ]


def test_any_other_number_is_a_feedback_option(modules):
    wrong = question("Q {#q kind=numerical}", "- [x] 42 {#a}\n  > Yes.\n- [x] * {#b}\n  > Any.")
    assert modules.problems("quiz", wrong) == [
        "m.md:18: * (any other number) is a [ ] option: it gives feedback, never marks"]

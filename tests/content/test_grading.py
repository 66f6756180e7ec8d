"""Grading each question kind (the table in docs/authoring.md)."""
import pytest

from trainer.content import GradeResult, grade_question, parse_module_text

QUIZ = """## Single {#single kind=single}

- [ ] A {#a}
  > No.
- [x] B {#b}
  > Yes.

::: explanation
E.
:::

## Multiple {#multiple kind=multiple}

- [x] A {#a}
  > Y.
- [x] B {#b}
  > Y.
- [ ] C {#c}
  > N.
- [ ] D {#d}
  > N.

::: explanation
E.
:::

## Weighted {#weighted kind=multiple}

- [x] Key {#key weight=60}
  > Y.
- [x] Minor one {#m1}
  > Y.
- [x] Minor two {#m2}
  > Y.
- [ ] Harmful {#harm weight=-100}
  > N.

::: explanation
E.
:::

## True or false {#tf kind=true-false}

- [ ] True {#true}
  > N.
- [x] False {#false}
  > Y.

::: explanation
E.
:::

## Short {#short kind=short}

- [x] Palermo {#palermo}
  > Y.
- [x] Palermo Protocol {#full}
  > Y.
- [ ] Geneva {#geneva}
  > N.

::: explanation
E.
:::

## Numerical {#num kind=numerical}

- [x] 42 ± 0.5 {#exact}
  > Y.
- [x] 40..45 {#close weight=50}
  > Near.
- [ ] 24 {#swapped}
  > Digits swapped?

::: explanation
E.
:::

## Matching {#match kind=matching}

- Recruitment => Act {#act}
- Deception => Means {#means}
  > Deception is a means.
- Coercion => Means {#coercion}
- Forced labour => Purpose {#purpose}

::: explanation
E.
:::
"""


@pytest.fixture
def q(modules):
    """Grade a response to the question with this id."""
    parsed = parse_module_text(modules.text("quiz", QUIZ))
    assert parsed.problems == ()
    by_id = {question.id: question for question in parsed.spec.questions}
    return lambda ident, response: grade_question(by_id[ident], response)


def test_single(q):
    assert q("single", {"b"}) == GradeResult(1.0, True, ("b",))
    assert q("single", {"a"}) == GradeResult(0.0, False, ("a",))
    assert q("single", {"a", "b"}).score == 0
    assert q("single", set()) == GradeResult(0.0, False, ())
    assert q("single", "b").correct  # a bare id is accepted


def test_true_false(q):
    assert q("tf", {"false"}).correct
    assert not q("tf", {"true"}).correct


def test_multiple_partial_credit_never_below_zero(q):
    assert q("multiple", {"a", "b"}) == GradeResult(1.0, True, ("a", "b"))
    assert q("multiple", {"a"}).score == 0.5
    assert q("multiple", {"a", "c"}).score == 0  # a wrong choice cancels a right one
    assert q("multiple", {"a", "b", "c"}).score == 0.5
    assert q("multiple", {"c", "d"}).score == 0
    assert q("multiple", {"a", "b", "c", "d"}).score == 0  # ticking everything earns nothing


def test_multiple_with_weights(q):
    assert q("weighted", {"key"}).score == pytest.approx(0.6)
    assert q("weighted", {"m1"}).score == pytest.approx(0.2)  # the rest shared equally
    assert q("weighted", {"key", "m1", "m2"}).correct
    assert q("weighted", {"key", "m1", "m2", "harm"}).score == 0


def test_short_answer_normalisation(q):
    assert q("short", "  palermo ") == GradeResult(1.0, True, ("palermo",))
    assert q("short", "PALERMO   protocol").correct
    assert q("short", "geneva") == GradeResult(0.0, False, ("geneva",))
    assert q("short", "Rome") == GradeResult(0.0, False, ())
    assert q("short", {"palermo"}).score == 0  # wrong type scores zero


def test_numerical_ranges_and_weights(q):
    assert q("num", "42.4") == GradeResult(1.0, True, ("exact",))
    assert q("num", " 41,5 ").correct  # decimal comma, boundary included
    assert q("num", "44") == GradeResult(0.5, False, ("close",))
    assert q("num", "24") == GradeResult(0.0, False, ("swapped",))
    assert q("num", "99") == GradeResult(0.0, False, ())
    assert q("num", "forty-two").score == 0


def test_matching_share(q):
    right = {"act": "act", "means": "means", "coercion": "coercion", "purpose": "purpose"}
    assert q("match", right) == GradeResult(1.0, True, ("means",))
    swapped = {**right, "means": "coercion", "coercion": "means"}  # same right side: still right
    assert q("match", swapped).correct
    assert q("match", {**right, "act": "purpose", "purpose": "act"}).score == 0.5
    assert q("match", {"act": "act"}).score == 0.25
    assert q("match", "act").score == 0

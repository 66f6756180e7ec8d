"""Cueing checks in ``courses check``: key length, true/false balance, 'all of the above',
multiple-response questions that ticking every box gives away; and the guessing scores."""
from __future__ import annotations

from trainer.content import parse_module_text
from trainer.content.cues import guess_scores, quiz_cues

EXPLAIN = "::: explanation\nWhy.\n:::\n\n"
LONG = "A much longer and more careful option that names the right thing to do."


def single(n: int, key_long: bool = True) -> str:
    key = LONG if key_long else "Short right one."
    return (f"## Q{n} {{#q{n} kind=single}}\n\nStem?\n\n- [x] {key} {{#a}}\n  > Yes.\n"
            f"- [ ] Wrong one. {{#b}}\n  > No.\n- [ ] Also wrong here, somewhat longer. {{#c}}\n  > No.\n\n{EXPLAIN}")


def tf(n: int, key: str) -> str:
    t, f = ("x", " ") if key == "true" else (" ", "x")
    return (f"## T{n} {{#t{n} kind=true-false}}\n\nTrue or false?\n\n- [{t}] True {{#true}}\n  > A.\n"
            f"- [{f}] False {{#false}}\n  > B.\n\n{EXPLAIN}")


def course(folder, modules, body):
    files = {"c/course.md": folder.course_md("q.md"), "c/q.md": modules.text("quiz", body, "q")}
    return folder.report(files)


def warnings(report):
    assert report.errors == 0, [str(p) for p in report.problems]
    return [str(p) for p in report.problems if p.severity == "warning"]


def test_key_longest_in_too_many_single_choice_questions(folder, modules):
    report = course(folder, modules, single(1) + single(2) + single(3, key_long=False))
    assert warnings(report) == [
        ("c/q.md:2: warning: the key is the longest option in 2 of 3 single-choice questions (more "
        "than 40%): q1, q2; write distractors as long and careful as the key")]
    assert report.summaries[0].cues["key_longest"] == 2
    assert report.summaries[0].cues["single"] == 3


def test_key_shortest_in_too_many_single_choice_questions(folder, modules):
    body = single(1, key_long=False) + single(2, key_long=False) + single(3)
    body = body.replace("Wrong one.", "A wrong option that is long enough to pass the key.")
    assert warnings(course(folder, modules, body)) == [
        ("c/q.md:2: warning: the key is the shortest option in 2 of 3 single-choice questions (more "
        "than 40%): q1, q2; a short key is a cue too once learners know that long answers are traps")]


def test_key_longest_within_the_limit_or_too_few_questions(folder, modules):
    assert warnings(course(folder, modules, single(1) + single(2, False) + single(3, False))) == []
    assert warnings(course(folder, modules, single(1) + single(2))) == []


def test_true_false_balance(folder, modules):
    body = "".join(tf(n, "false") for n in range(4))
    assert warnings(course(folder, modules, body)) == [
        "c/q.md:2: warning: 4 of 4 true/false keys are False (more than 70% one way); balance True and False"]
    body = tf(1, "true") + "".join(tf(n, "false") for n in range(2, 5))
    assert "3 of 4 true/false keys are False" in warnings(course(folder, modules, body))[0]
    body = tf(1, "true") + tf(2, "true") + tf(3, "false") + tf(4, "false")
    assert warnings(course(folder, modules, body)) == []
    assert warnings(course(folder, modules, "".join(tf(n, "true") for n in range(3)))) == []


def test_all_or_none_of_the_above(folder, modules):
    body = ("## Q {#q kind=single}\n\nStem?\n\n- [x] Right. {#a}\n  > Yes.\n- [ ] Wrong. {#b}\n  > No.\n"
            "- [ ] None of the above. {#c}\n  > No.\n- [ ] Geen van de bovenstaande {#d}\n  > Nee.\n\n" + EXPLAIN)
    found = warnings(course(folder, modules, body))
    assert [w.split(": ", 2)[2][:12] for w in found] == ["option 'c' i", "option 'd' i"]
    assert all(w.startswith("c/q.md:12: warning:") for w in found)


def test_multiple_response_every_option_a_key_or_ticking_all_pays(folder, modules):
    every = ("## M {#m kind=multiple}\n\nWhich?\n\n- [x] A {#a}\n  > Yes.\n- [x] B {#b}\n  > Yes.\n\n" + EXPLAIN)
    assert warnings(course(folder, modules, every)) == [
        "c/q.md:12: warning: every option is a key: ticking every box (or none) gives it away"]
    three = ("## M {#m kind=multiple}\n\nWhich?\n\n- [x] A {#a}\n  > Yes.\n- [x] B {#b}\n  > Yes.\n"
             "- [x] C {#c}\n  > Yes.\n- [ ] D {#d}\n  > No.\n\n" + EXPLAIN)
    assert warnings(course(folder, modules, three)) == [
        ("c/q.md:12: warning: ticking every box earns 67% of the marks; add a wrong option or make "
        "fewer options right")]
    half = three.replace("[x] C", "[ ] C")
    assert warnings(course(folder, modules, half)) == []


def test_guess_scores_use_the_real_grading():
    text = ("---\nid: q\nkind: quiz\ntitle: Q\noverview: O.\nintensity: light\nobjectives:\n  - X.\n---\n"
            + single(1) + single(2, key_long=False) + tf(1, "false") + tf(2, "true"))
    module = parse_module_text(text, "q.md").spec
    scores = guess_scores(module.questions)
    assert scores["always longest"] == (1 + 0 + 0.5 + 0.5) / 4
    assert scores["always False"] == (1 / 3 + 1 / 3 + 1 + 0) / 4
    assert scores["random option"] == (1 / 3 + 1 / 3 + 0.5 + 0.5) / 4
    assert scores["always first"] == (1 + 1 + 0.5 + 0.5) / 4
    assert scores["longest + False + every box"] == (1 + 0 + 1 + 0) / 4
    assert scores["best rule per kind"] == (1 + 0 + 0.5 + 0.5) / 4
    cues = quiz_cues(module)
    assert (cues.single, cues.key_longest, cues.true_false, cues.key_true) == (2, 1, 2, 1)


def test_cues_are_not_counted_in_a_course_with_errors(folder, modules):
    body = single(1) + single(2) + single(3).replace("::: explanation\nWhy.\n:::\n", "")
    report = course(folder, modules, body)
    assert report.errors == 1
    assert [p for p in report.problems if p.severity == "warning"] == []
    assert report.summaries[0].cues == {}

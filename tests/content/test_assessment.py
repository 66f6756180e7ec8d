"""The assessment fields of course.md: pretest, test_out, confidence, evaluation, attestation,
checked against the rest of the course, each problem at its line."""
from trainer.content import DEFAULT_CONFIDENCE, AssessmentSpec, parse_course

QUESTION = """## Who decides {#who kind=single}

Who decides whether a person accepts help?

- [x] The person themselves. {#self}
  > Right: support follows their choices.
- [ ] Their employer, who knows them. {#employer}
  > No: an employer may be the one who controls them.
- [ ] The professional they meet. {#professional}
  > No: professionals offer, the person decides.

::: explanation
Support follows the person's own choices.
:::
"""


def _course(folder, modules, fields: str, certificate: str = "certificate_hours: 2\ncertificate_valid_months: 24\n"):
    """course.md with ``certificate`` then ``fields`` from line 8, a lesson ``l`` and a quiz ``check``."""
    course = folder.course_md("a.md", "b.md").replace("estimated_minutes: 10\n",
                                                      f"estimated_minutes: 10\n{certificate}{fields}")
    return {"course.md": course, "a.md": modules.lesson("l"), "b.md": modules.text("quiz", QUESTION, "check")}


def test_a_full_set_of_fields(folder, modules):
    folder.write(_course(folder, modules, "pretest: check\ntest_out: true\nevaluation: true\nattestation: true\n"
                                          "confidence:\n  - I can spot it.\n  - I know   whom to call.\n"))
    parsed = parse_course(folder.root)
    assert parsed.problems == ()
    assert parsed.spec.assessment == AssessmentSpec("check", True, ("I can spot it.", "I know whom to call."),
                                                    True, True)


def test_no_fields_no_assessment_and_default_statements_in_the_course_language(folder, modules):
    folder.write(_course(folder, modules, ""))
    assert parse_course(folder.root).spec.assessment is None
    folder.write(_course(folder, modules, "pretest: check\n"))
    assert parse_course(folder.root).spec.assessment.confidence == DEFAULT_CONFIDENCE["en"]
    folder.write({k: v.replace("language: en", "language: nl") for k, v in
                  _course(folder, modules, "pretest: check\n").items()})
    assert parse_course(folder.root).spec.assessment.confidence == DEFAULT_CONFIDENCE["nl"]
    folder.write(_course(folder, modules, "evaluation: true\n"))
    assessment = parse_course(folder.root).spec.assessment
    assert assessment.evaluation and assessment.pretest is None and assessment.confidence == ()


def test_the_pre_test_must_be_one_of_the_courses_quizzes(folder, modules):
    assert folder.check(_course(folder, modules, "pretest: l\n")) == [
        "course.md:10: pretest: no quiz module of this course has the id 'l' (its quizzes: check)"]
    assert folder.check(_course(folder, modules, "pretest: final-check\n")) == [
        "course.md:10: pretest: no quiz module of this course has the id 'final-check' (its quizzes: check)"]
    assert folder.check(_course(folder, modules, "pretest: Check!\n")) == [
        ("course.md:10: pretest: malformed id 'Check!': use lowercase letters, digits and hyphens, starting with "
         "a letter, at most 64 characters")]


def test_testing_out_needs_a_pre_test_and_certificates_that_expire(folder, modules):
    assert folder.check(_course(folder, modules, "test_out: true\n")) == [
        "course.md:10: test_out: learners test out by passing the pre-test: set pretest first"]
    assert folder.check(_course(folder, modules, "pretest: check\ntest_out: true\n",
                                certificate="certificate_hours: 2\n")) == [
        ("course.md:10: test_out: testing out is for recertification, and this course's certificates never "
         "expire: set certificate_valid_months")]
    assert folder.check(_course(folder, modules, "test_out: yes please\n")) == [
        "course.md:10: test_out: must be true or false"]


def test_evaluation_and_attestation_come_before_a_certificate(folder, modules):
    assert folder.check(_course(folder, modules, "evaluation: true\nattestation: true\n", certificate="")) == [
        "course.md:8: evaluation: comes before the certificate, and this course gives none: set certificate_hours",
        "course.md:9: attestation: comes before the certificate, and this course gives none: set certificate_hours"]


def test_confidence_statements(folder, modules):
    assert folder.check(_course(folder, modules, "confidence:\n  - One.\n  - Two.\n")) == [
        ("course.md:10: confidence: the statements are rated with the pre-test, before and after the course: "
         "set pretest first")]
    assert folder.check(_course(folder, modules, "pretest: check\nconfidence:\n  - Only one.\n")) == [
        "course.md:11: confidence: needs 2 to 8 items"]
    long = "x" * 201
    assert folder.check(_course(folder, modules, f"pretest: check\nconfidence:\n  - Fine.\n  - {long}\n")) == [
        "course.md:13: confidence: each statement must be at most 200 characters (it has 201)"]


def test_the_documented_example_checks_clean(folder, modules):
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text("utf-8")
    section = doc.split("### Pre-test, evaluation and attestation", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```markdown\n(.*?)```", section, re.DOTALL)
    files = _course(folder, modules, example)
    files["b.md"] = modules.text("quiz", QUESTION, "check-response")
    folder.write(files)
    parsed = parse_course(folder.root)
    assert parsed.problems == () and parsed.spec.assessment.pretest == "check-response"

"""``credit:`` in course.md: checked field by field, each problem at its line."""
from trainer.content import CreditSpec, parse_course

SCENARIO_FREE = "## Only {#only}\n\nText.\n"


def _course(folder, modules, credit: str, hours: str = "certificate_hours: 2\n"):
    course = folder.course_md("a.md").replace("estimated_minutes: 10\n", f"estimated_minutes: 10\n{hours}{credit}")
    files = {"course.md": course, "a.md": modules.lesson()}
    return files


def test_a_full_credit_block(folder, modules):
    files = _course(folder, modules, 'credit:\n  body: "Royal College"\n  type: CPD points\n'
                                     '  activity_id: 12345\n  hours: 1.5\n')
    folder.write(files)
    parsed = parse_course(folder.root)
    assert parsed.problems == ()
    assert parsed.spec.credit == CreditSpec("Royal College", "CPD points", "12345", 1.5)


def test_no_credit_block_is_no_credit(folder, modules):
    folder.write(_course(folder, modules, ""))
    assert parse_course(folder.root).spec.credit is None


def test_each_problem_is_reported_at_its_line(folder, modules):
    # course.md: certificate_hours on line 8, credit on line 9, its fields from line 10.
    files = _course(folder, modules, "credit:\n  body: \"\"\n  type: " + "x" * 61 + "\n  hours: 3\n  points: 2\n")
    assert folder.check(files) == [
        "course.md:10: credit: body must be text (put yes/no and dates in quotes)",
        "course.md:11: credit: type must be at most 60 characters (it has 61)",
        "course.md:12: credit: hours (3) may not be more than certificate_hours (2)",
        "course.md:13: credit: unknown field 'points' (use body, type, activity_id and hours)",
    ]


def test_required_fields_shape_and_a_course_without_a_certificate(folder, modules):
    assert folder.check(_course(folder, modules, "credit:\n  body: A body\n")) == [
        "course.md:9: credit: missing field 'type'", "course.md:9: credit: missing field 'hours'"]
    assert folder.check(_course(folder, modules, "credit: 2\n")) == [
        "course.md:9: credit: write body:, type:, activity_id: (optional) and hours: lines under it"]
    assert folder.check(_course(folder, modules, "credit: {body: B, type: T, hours: 0}\n")) == [
        "course.md:9: credit: hours must be a number more than 0"]
    assert folder.check(_course(folder, modules, "credit: {body: B, type: T, hours: 1}\n", hours="")) == [
        "course.md:8: credit: the course gives no certificate: set certificate_hours first"]

"""``reviewed:`` in course.md: who reviewed the course and when, each problem at its line."""
import datetime as dt

from trainer.content import ReviewSpec, parse_course


def _course(folder, modules, reviewed: str):
    course = folder.course_md("a.md").replace("estimated_minutes: 10\n", f"estimated_minutes: 10\n{reviewed}")
    return {"course.md": course, "a.md": modules.lesson()}


def test_reviews_by_month_and_by_day_oldest_first(folder, modules):
    folder.write(_course(folder, modules, 'reviewed:\n'
                                          '  - by: "Survivor advisory group"\n    date: 2026-11-30\n'
                                          '    lived_experience: true\n'
                                          '  - by: "Emergency physician"\n    date: 2026-10\n'))
    parsed = parse_course(folder.root)
    assert parsed.problems == ()
    assert parsed.spec.reviewed == (ReviewSpec("Emergency physician", "2026-10"),
                                    ReviewSpec("Survivor advisory group", "2026-11-30", lived_experience=True))


def test_no_reviewed_list_is_no_review(folder, modules):
    folder.write(_course(folder, modules, ""))
    assert parse_course(folder.root).spec.reviewed == ()


def test_each_problem_is_reported_at_its_line(folder, modules):
    # course.md: reviewed on line 8, its first entry from line 9.
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    files = _course(folder, modules, 'reviewed:\n'
                                     '  - by: ""\n    date: 2026-13\n'
                                     f'  - by: Nurse\n    date: {future}\n    lived_experience: maybe\n'
                                     '  - by: Nurse\n    when: 2026-01\n')
    assert folder.check(files) == [
        "course.md:9: reviewed: by must be text (a name or a role)",
        "course.md:10: reviewed: date must be YYYY-MM or YYYY-MM-DD, not '2026-13'",
        f"course.md:12: reviewed: {future} is in the future; write a review's date once it has taken place",
        "course.md:13: reviewed: lived_experience must be true or false",
        "course.md:14: reviewed: missing field 'date' (YYYY-MM or YYYY-MM-DD)",
        "course.md:15: reviewed: unknown field 'when' (use by, date and lived_experience)",
    ]


def test_a_list_is_required(folder, modules):
    assert folder.check(_course(folder, modules, "reviewed: last week\n")) == [
        "course.md:8: reviewed: write a list of reviews, each with by: (a name or role) and date: lines"]

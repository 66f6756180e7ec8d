"""``pass_ending``: what a scenario run must end in for its module to count as completed."""
from trainer.content import parse_course, parse_module_text, passes

SCENARIO = """## Start {#start}

- Well. -> good {#well}
  > Fine.
- Badly. -> bad {#badly}
  > Not fine.

## Good {#good ending=best}

Debrief.

## Bad {#bad ending=harmful}

Debrief.
"""


def test_each_setting_sets_the_least_ending_that_passes():
    assert [passes(e, "any") for e in ("best", "acceptable", "harmful")] == [True, True, True]
    assert [passes(e, "acceptable") for e in ("best", "acceptable", "harmful")] == [True, True, False]
    assert [passes(e, "best") for e in ("best", "acceptable", "harmful")] == [True, False, False]
    assert passes(None, "any") is False


def test_the_course_default_is_acceptable_and_a_module_may_override(folder, modules):
    scenario = modules.text("scenario", SCENARIO, id="s").replace("---\n## Start", "---\n## Start")
    override = scenario.replace("intensity: light\n", "intensity: light\npass_ending: best\n")
    folder.write({"course.md": folder.course_md("a.md", "b.md"), "a.md": scenario,
                  "b.md": override.replace("id: s", "id: t")})
    parsed = parse_course(folder.root)
    assert parsed.problems == ()
    assert parsed.spec.pass_ending == "acceptable"
    assert [m.pass_ending for m in parsed.spec.modules] == [None, "best"]


def test_the_course_setting_is_read(folder, modules):
    course = folder.course_md("a.md").replace("estimated_minutes: 10\n", "estimated_minutes: 10\npass_ending: any\n")
    folder.write({"course.md": course, "a.md": modules.text("scenario", SCENARIO)})
    assert parse_course(folder.root).spec.pass_ending == "any"


def test_a_wrong_value_is_an_error_at_its_line(folder, modules):
    course = folder.course_md("a.md").replace("estimated_minutes: 10\n", "estimated_minutes: 10\npass_ending: good\n")
    problems = folder.check({"course.md": course, "a.md": modules.text("scenario", SCENARIO)})
    assert problems == ["course.md:8: pass_ending: 'good' is not one of: any, acceptable, best"]
    module = modules.text("scenario", SCENARIO).replace("intensity: light\n", "intensity: light\npass_ending: ok\n")
    assert modules.lines(module) == ["m.md:7: pass_ending: 'ok' is not one of: any, acceptable, best"]


def test_only_a_scenario_may_set_it(modules):
    lesson = modules.lesson().replace("intensity: light\n", "intensity: light\npass_ending: best\n")
    assert modules.lines(lesson) == ["m.md:7: pass_ending: only a scenario or a case has endings"]
    assert parse_module_text(lesson).spec.pass_ending is None

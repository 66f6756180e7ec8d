"""Front matter and lesson rules, with their exact lines."""
from trainer.content import parse_module_text

ID_RULE = ("use lowercase letters, digits and hyphens, starting with a letter, at most 64 "
           "characters")


def test_a_complete_lesson_has_no_problems(modules):
    assert modules.lines(modules.lesson()) == []


def test_front_matter_must_be_there_and_closed(modules):
    assert modules.lines("# Hello\n") == [
        "m.md:1: the file must start with front matter between two --- lines"]
    assert modules.lines("---\nid: m\n") == [
        "m.md:1: front matter is not closed: add a line --- after the last field"]


def test_malformed_yaml_is_reported_at_its_line(modules):
    text = modules.lesson().replace("title: A module", "title: [unclosed")
    assert modules.lines(text) == [
        "m.md:5: malformed front matter: expected ',' or ']', but got ':' (put the value in quotes: { and [ "
        "start a YAML map or list)"]


def test_unknown_missing_and_repeated_fields(modules):
    text = modules.lesson().replace("title: A module", "titel: A module\nkind: lesson")
    assert modules.lines(text) == [
        "m.md:1: missing field 'title'",
        "m.md:4: unknown field 'titel' in a module; did you mean 'title'?",
        "m.md:5: field 'kind' is given twice",
    ]


def test_field_values_are_checked_at_their_lines(modules):
    text = modules.lesson().replace("id: m", "id: Bad_Id")
    text = text.replace("intensity: light", "intensity: extreme")
    text = text.replace("  - Learn one thing.", "\n".join(f"  - Thing {i}." for i in range(9)))
    assert modules.lines(text) == [
        f"m.md:2: id: malformed id 'Bad_Id': {ID_RULE}",
        "m.md:6: intensity: 'extreme' is not one of: light, moderate, heavy",
        "m.md:7: objectives: needs 1 to 8 items",
    ]


def test_list_item_problems_point_at_the_item(modules):
    text = modules.lesson().replace("  - A source.", "  - A source.\n  - 42")
    assert modules.lines(text) == ["m.md:11: references: item 2 must be text"]


def test_a_lesson_needs_references(modules):
    lesson = modules.lesson()
    assert modules.lines(lesson.replace("references:\n  - A source.\n", "")) == [
        "m.md:1: missing field 'references' (required for lessons)"]
    assert modules.lines(lesson.replace("  - A source.\n", "")) == [
        "m.md:9: references: a lesson needs at least one"]


def test_a_lesson_needs_a_section(modules):
    assert modules.problems("lesson", "Just an introduction.\n") == [
        "m.md:3: a lesson needs at least one ## section with an {#id}"]


def test_section_ids_are_required_wellformed_and_unique(modules):
    body = "## No id\n\n## Bad {#Bad}\n\n## Twice {#twice}\n\n## Again {#twice}\n"
    assert modules.problems("lesson", body) == [
        "m.md:12: section heading has no {#id}",
        f"m.md:14: malformed id 'Bad': {ID_RULE}",
        "m.md:18: duplicate id 'twice' (first used on line 16)",
    ]


def test_section_attributes(modules):
    body = '## A {#a colour=red}\n\n## B {#b note=""}\n\n## C {#c note="x" stray}\n'
    assert modules.problems("lesson", body) == [
        "m.md:12: unknown attribute 'colour' (allowed here: note)",
        'm.md:14: note= needs a reason, for example note="sexual violence"',
        "m.md:16: malformed attributes 'stray': write key=value or key=\"value with spaces\"",
    ]


def test_alternative_only_in_a_noted_section(modules):
    body = ("::: alternative\nIn the introduction.\n:::\n\n"
            "## Plain {#plain}\n\n::: alternative\nNo note.\n:::\n")
    assert modules.problems("lesson", body) == [
        'm.md:12: ::: alternative is only allowed in a lesson section with a note="..."',
        'm.md:18: ::: alternative is only allowed in a section with a note="..." '
        "(add one to the section heading)",
    ]


def test_noted_section_keeps_its_alternative_apart(modules):
    body = ('## Hard {#hard note="abuse of children"}\n\nThe text.\n\n'
            "::: alternative\nGentler.\n\n::: self-care\nBreathe.\n:::\n:::\n")
    parsed = parse_module_text(modules.text("lesson", body), "m.md")
    assert parsed.problems == ()
    section = parsed.spec.sections[0]
    assert (section.id, section.note, section.body_html) == ("hard", "abuse of children",
                                                             "<p>The text.</p>")
    assert section.alternative_html.startswith("<p>Gentler.</p>")
    assert '<aside class="callout callout-self-care" role="note">' in section.alternative_html
    assert '<p class="callout-title">Self-care</p>' in section.alternative_html


def test_fence_problems(modules):
    body = ("## A {#a}\n\n::: tip\nx\n:::\n\n::: note\n::: warning\ny\n:::\n:::\n:::\n\n"
            "## B {#b}\n\n::: example\nnever closed\n\n## C {#c}\n\n```\ncode ## not a heading\n")
    assert modules.problems("lesson", body) == [
        "m.md:14: unknown ::: kind 'tip' (use one of: indicators, what-to-do, who-to-call, "
        "note, warning, example, myth-fact, self-care, alternative, explanation)",
        "m.md:19: ::: warning cannot be inside ::: note: fences do not nest, except callouts "
        "in ::: alternative",
        "m.md:23: ::: closes nothing: no ::: fence is open",
        "m.md:27: ::: example is not closed: end it with a line :::",
        "m.md:32: code block is not closed: end it with a line ```",
    ]


def test_explanation_in_a_lesson_is_misplaced(modules):
    body = "## A {#a}\n\n::: explanation\nWhy.\n:::\n"
    assert modules.problems("lesson", body) == [
        "m.md:14: ::: explanation belongs under a quiz question"]


def test_module_spec_fields_and_source(modules):
    text = modules.lesson().replace("intensity: light",
                                    "intensity: light\nminutes: 5\nrequired: false")
    spec = parse_module_text(text, "m.md").spec
    assert (spec.id, spec.kind, spec.minutes, spec.required) == ("m", "lesson", 5, False)
    assert spec.objectives == ("Learn one thing.",)
    assert spec.references_html == ("A source.",)
    assert spec.source_md == text
    assert spec.sections[0].body_html == "<p>Text.</p>"


def test_ids_inside_code_blocks_are_not_structure(modules):
    body = "## A {#a}\n\n```\n## Not a section\n::: note\n```\n"
    parsed = parse_module_text(modules.text("lesson", body), "m.md")
    assert parsed.problems == ()
    assert [s.id for s in parsed.spec.sections] == ["a"]
    assert "## Not a section" in parsed.spec.sections[0].body_html

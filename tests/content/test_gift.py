"""Tests for the GIFT (Moodle) to quiz-module Markdown converter."""
from __future__ import annotations

import random
import time

import pytest
import yaml

from trainer.content import grade_question, parse_module_text
from trainer.content.gift import GiftIssue, GiftResult, convert_gift
from trainer.content.gift_render import NO_EXPLANATION


def convert(text: str, **kwargs) -> GiftResult:
    """Convert with a fixed module id and title."""
    return convert_gift(text, "imported", "Imported questions", **kwargs)


def body(result: GiftResult) -> str:
    """The Markdown after the front matter."""
    return result.markdown.split("\n---\n", 1)[1].strip()


def front(result: GiftResult) -> dict:
    """The front matter, read by a real YAML parser."""
    return yaml.safe_load(result.markdown.split("---\n")[1])


def question_warnings(result: GiftResult, number: int) -> list[str]:
    """The warnings about one question."""
    return [w.message for w in result.warnings if w.number == number]


# --- one question, exactly ------------------------------------------------------------------

def test_single_choice_with_feedback_and_general_feedback_exact_output():
    result = convert(
        "::A companion who answers for her::\n"
        "The man with her answers every question. What do you do first? {\n"
        "  ~Let him interpret. #He may be the person controlling her.\n"
        "  =See her alone with a professional interpreter. #Right: routine care.\n"
        "  ####Seeing every patient alone is the foundation of a safe response.\n"
        "}\n")
    assert body(result) == (
        "## A companion who answers for her {#a-companion-who-answers-for-her kind=single}\n"
        "\n"
        "The man with her answers every question. What do you do first?\n"
        "\n"
        "- [ ] Let him interpret. {#a}\n"
        "  > He may be the person controlling her.\n"
        "- [x] See her alone with a professional interpreter. {#b}\n"
        "  > Right: routine care.\n"
        "\n"
        "::: explanation\n"
        "Seeing every patient alone is the foundation of a safe response.\n"
        ":::")
    assert result.converted == 1
    assert result.skipped == []
    assert question_warnings(result, 1) == []


def test_front_matter_is_valid_yaml_with_the_required_fields():
    result = convert_gift("Q {T}", "my-quiz", 'Check: "indicators" # 1', overview="Short.",
                          intensity="light", minutes=5, objectives=["Recognise signs."])
    assert result.markdown.startswith("---\nid: my-quiz\nkind: quiz\n")
    assert front(result) == {"id": "my-quiz", "kind": "quiz", "title": 'Check: "indicators" # 1',
                             "overview": "Short.", "intensity": "light", "minutes": 5,
                             "objectives": ["Recognise signs."]}
    assert [w for w in result.warnings if w.number == 0] == []


def test_front_matter_defaults_are_flagged():
    result = convert("Q {T}\n\nR {F}")
    data = front(result)
    assert data["intensity"] == "moderate"
    assert data["minutes"] == 2
    assert data["overview"] and data["objectives"]
    assert any("placeholders" in w.message for w in result.warnings if w.number == 0)


@pytest.mark.parametrize("kwargs", [
    {"module_id": "Bad Id"}, {"module_id": "1abc"}, {"title": ""}, {"title": "x" * 201},
    {"intensity": "extreme"}, {"objectives": []}, {"objectives": ["a"] * 9},
    {"objectives": ["  "]}, {"overview": ""}, {"minutes": 0}, {"minutes": 2.5},
])
def test_module_settings_the_checker_would_refuse_raise(kwargs):
    with pytest.raises(ValueError):
        convert_gift("Q {T}", **{"module_id": "quiz", "title": "Quiz", **kwargs})


# --- GIFT syntax ----------------------------------------------------------------------------

def test_comment_lines_are_ignored_but_urls_are_not_comments():
    result = convert("// about this bank\n// another comment\n"
                     "See https://example.org/help // not a comment {T}")
    assert "about this bank" not in result.markdown
    assert "See https://example.org/help // not a comment" in result.markdown


def test_comment_only_blocks_are_not_questions():
    result = convert("// header\n\n// more\n\nQ {T}")
    assert result.converted == 1
    assert result.skipped == []
    assert "{#q-1 kind=true-false}" in result.markdown


def test_title_becomes_heading_and_id_and_untitled_questions_get_q_n():
    result = convert("::Seeing alone::First? {T}\n\nSecond question here? {F}")
    assert "## Seeing alone {#seeing-alone kind=true-false}" in result.markdown
    assert "## Second question here? {#q-2 kind=true-false}" in result.markdown


def test_ids_are_deduplicated_and_always_valid():
    result = convert("::Same::A {T}\n\n::Same::B {T}\n\n::123 go::C {T}\n\n::!!!::D {T}\n\n"
                     "::Q 5::E {T}\n\n" + "::" + "long " * 30 + "::F {T}\n\n::Same::G {T}")
    ids = [line.split("{#")[1].split()[0] for line in result.markdown.splitlines()
           if line.startswith("## ")]
    assert ids[:6] == ["same", "same-2", "q-123-go", "q-4", "q-5", "long-" * 12 + "long"]
    assert ids[6] == "same-3"
    assert len(set(ids)) == len(ids)


def test_long_stem_gives_short_heading():
    result = convert("word " * 40 + "{T}")
    heading = next(line for line in result.markdown.splitlines() if line.startswith("## "))
    assert heading.startswith("## word word")
    assert len(heading.split(" {#")[0]) <= 83
    assert "..." in heading


def test_categories_become_tags_until_the_next_category():
    result = convert("$CATEGORY: $course$/top/Indicators/Health care\n\n"
                     "::One::A {T}\n\n"
                     "::Two::B {T}\n\n"
                     "$CATEGORY: Control\n\n"
                     "::Three::C {T}")
    assert '{#one kind=true-false tags="indicators, health-care"}' in result.markdown
    assert '{#two kind=true-false tags="indicators, health-care"}' in result.markdown
    assert '{#three kind=true-false tags="control"}' in result.markdown
    assert result.converted == 3  # categories are not questions


def test_category_line_directly_above_a_question_and_moodle_tag_comments():
    result = convert("$CATEGORY: Debt\n// [tag:Bondage] [tag:money]\n::One::A {T}")
    assert '{#one kind=true-false tags="debt, bondage, money"}' in result.markdown
    assert result.skipped == []


def test_escapes_are_literal_characters():
    result = convert(r"::Ratio 1\:2::Is 2 \= 2 \~ \# \{x\} \\ ok? {=yes \= indeed #Right\: yes}")
    assert "## Ratio 1:2 {#ratio-1-2 kind=short}" in result.markdown
    assert "Is 2 = 2 ~ # {x} \\ ok?" in result.markdown
    assert "- [x] yes = indeed {#a}\n  > Right: yes" in result.markdown


def test_newline_escape_breaks_the_line():
    result = convert(r"First line\nsecond line {T#wrong\nreally#right}")
    assert "First line\nsecond line\n" in result.markdown
    assert "  > wrong\n  > really" in result.markdown


def test_markdown_format_is_kept():
    result = convert("[markdown]Is **this** a *question*? {T}")
    assert "\nIs **this** a *question*?\n" in result.markdown


def test_html_format_is_converted_to_markdown():
    result = convert('[html]<p>Read <b>this</b> &amp; <a href="https://example.org/x">that</a>:'
                     "</p><ul><li>one</li><li>two</li></ul><script>alert(1)</script>"
                     "<p onclick=\"x()\">2 * 3 &lt; 7</p>{T}")
    text = body(result)
    assert ("Read **this** & [that](https://example.org/x):\n\n- one\n- two\n\n"
            "2 \\* 3 &lt; 7") in text
    assert "<" not in text.replace("&lt;", "")
    assert "alert" not in text


def test_html_answers_and_feedback_follow_the_question_format():
    result = convert("[html]<p>Pick</p>{=<b>yes</b>#<i>good</i> ~no#<p>bad</p>}")
    assert "- [x] **yes** {#a}\n  > *good*" in result.markdown
    assert "- [ ] no {#b}\n  > bad" in result.markdown


def test_html_images_and_unsafe_links_are_removed_with_a_warning():
    result = convert('[html]<p>See <img src="@@PLUGINFILE@@/a.png" alt="A chart"> and '
                     '<a href="javascript:alert(1)">this</a></p>{T}')
    assert "See (image: A chart) and this" in result.markdown
    assert "javascript" not in result.markdown
    assert any("images linked from elsewhere were removed" in w for w in question_warnings(result, 1))


def test_plain_format_is_escaped_and_tags_in_moodle_format_are_stripped():
    plain = convert("[plain]Is a*b*c <b>bold</b>? {T}")
    assert "\nIs a\\*b\\*c &lt;b>bold&lt;/b>?\n" in plain.markdown
    assert "## Is a*b*c bold? {#q-1" in plain.markdown  # headings are plain text, no tags
    moodle = convert("[moodle]Is this <b>bold</b><br>really? {T}")
    assert "Is this **bold**\nreally?" in moodle.markdown
    assert "<b>" not in moodle.markdown


def test_stem_lines_that_look_like_module_syntax_are_neutralised():
    result = convert("[markdown]## Heading\\n- [x] not an option\\n::: explanation\\n"
                     "- Left => Right\\n```\\n===\\nEnds with {#id} {T}"
                     .replace("{#id}", "\\{#id\\}"))
    text = body(result)
    assert "\n&#96;``\n&#61;==\n" in text
    assert "\n- \\[x] not an option\n" in text
    assert text.startswith("## Heading {#q-1 kind=true-false}\n\n\\## Heading\n")
    assert "\n&#58;:: explanation\n" in text
    assert "\n- Left =\\> Right\n" in text
    assert "Ends with \\{#id}" in text
    assert text.count("::: explanation") == 1


# --- question kinds -------------------------------------------------------------------------

def test_multiple_choice_single():
    result = convert("Who helps? {~A ~B =C ~D}")
    assert "{#q-1 kind=single}" in result.markdown
    assert "- [ ] A {#a}\n  > Not correct.\n- [ ] B {#b}" in result.markdown
    assert "- [x] C {#c}\n  > Correct." in result.markdown


def test_generated_feedback_and_explanation_are_reported():
    result = convert("Who helps? {~A #No. =B}")
    warnings = question_warnings(result, 1)
    assert "feedback was generated for options b: write real feedback" in warnings
    assert any("no general feedback" in w for w in warnings)
    assert f"::: explanation\n{NO_EXPLANATION}\n:::" in result.markdown


def test_general_feedback_becomes_the_explanation():
    result = convert("Q {T####Because it is.}")
    assert "::: explanation\nBecause it is.\n:::" in result.markdown
    assert not any("general feedback" in w for w in question_warnings(result, 1))


def test_multiple_answers_with_weights():
    result = convert("Which are indicators? {\n"
                     "~%50%Someone else holds her passport #Yes.\n"
                     "~%50%She owes a debt she cannot repay #Yes.\n"
                     "~%-100%She has a mobile phone #A phone alone says nothing.\n"
                     "~She is tired\n}")
    text = result.markdown
    assert "{#q-1 kind=multiple}" in text
    assert "- [x] Someone else holds her passport {#a weight=50}\n  > Yes." in text
    assert "- [x] She owes a debt she cannot repay {#b weight=50}" in text
    assert "- [ ] She has a mobile phone {#c weight=-100}" in text
    # As in Moodle, a ~ answer without a weight is worth 0%: ticking it costs nothing.
    assert "- [ ] She is tired {#d weight=0}\n  > Not correct." in text


def _module_question(result: GiftResult):
    """The first question of the converted module, as the course parser reads it."""
    parsed = parse_module_text(result.markdown, "imported.md")
    assert [str(p) for p in parsed.problems] == []
    return parsed.spec.questions[0]


def test_ticking_every_box_of_a_weighted_question_scores_as_in_moodle():
    question = _module_question(convert("Q {~%50%A #a ~%50%B #b ~C #c}"))
    assert grade_question(question, {"a", "b", "c"}).score == 1
    assert grade_question(question, {"a"}).score == 0.5


def test_partial_credit_in_a_single_answer_question_is_kept():
    result = convert("Q {=right #r ~%50%half #h ~wrong #w}")
    assert "kind=single" in result.markdown
    assert "- [x] right {#a}" in result.markdown
    assert "- [x] half {#b weight=50}" in result.markdown
    assert "- [ ] wrong {#c}" in result.markdown
    question = _module_question(result)
    assert [grade_question(question, {ident}).score for ident in ("a", "b", "c")] == [1, 0.5, 0]


@pytest.mark.parametrize("answer, shown", [
    ("\\# 1", "# 1"), ("1. Call", "1. Call"), ("- Call", "- Call"), ("> Call", "> Call"),
    ("---", "---"), ("+ Call", "+ Call"),
])
def test_an_answer_that_looks_like_markdown_block_syntax_stays_text(answer, shown):
    question = _module_question(convert(f"Which one? {{={answer} #Yes ~Other #No}}"))
    texts = [option.text_html for option in question.options]
    assert shown.replace(">", "&gt;") in texts[0] or shown in texts[0], texts


def test_multiple_answer_weights_must_add_up_to_100():
    result = convert("Q {~%33.33333%a ~%33.33333%b ~%33.33333%c ~d}")
    assert "- [x] a {#a weight=33.33333}" in result.markdown
    result = convert("Q {~%33.33333%a ~%33.33333%b ~%20%c ~d}")
    assert result.skipped == [(1, 1, "the positive weights add up to 86.66666%, not 100%")]


def test_negative_weights_in_a_single_answer_question_are_dropped_with_a_warning():
    result = convert("Q {=right ~%-50%costly ~wrong}")
    assert "- [ ] costly {#b}" in result.markdown
    assert "weight=" not in result.markdown
    assert any("negative weights on options b were dropped" in w for w in question_warnings(result, 1))


@pytest.mark.parametrize("mark, true_box, false_box", [
    ("T", "x", " "), ("TRUE", "x", " "), ("F", " ", "x"), ("FALSE", " ", "x"),
])
def test_true_false_in_capitals(mark, true_box, false_box):
    result = convert(f"The sky is blue. {{{mark}}}")
    assert "{#q-1 kind=true-false}" in result.markdown
    assert f"- [{true_box}] True {{#true}}" in result.markdown
    assert f"- [{false_box}] False {{#false}}" in result.markdown


def test_true_false_feedback_wrong_then_right():
    true_q = convert("Q {T#That is wrong.#That is right.}").markdown
    assert ("- [x] True {#true}\n  > That is right.\n"
            "- [ ] False {#false}\n  > That is wrong.") in true_q
    false_q = convert("Q {FALSE#That is wrong.#That is right.}").markdown
    assert ("- [ ] True {#true}\n  > That is wrong.\n"
            "- [x] False {#false}\n  > That is right.") in false_q


def test_short_answer():
    result = convert("Who's buried in Grant's tomb? {=no one =nobody #Yes, nobody.}")
    assert "{#q-1 kind=short}" in result.markdown
    assert "- [x] no one {#a}\n  > Correct.\n- [x] nobody {#b}\n  > Yes, nobody." in result.markdown


def test_percent_signs_that_are_not_a_weight_are_text():
    result = convert("Q {=%s means a string ~%d%}")
    assert "- [x] %s means a string {#a}" in result.markdown
    assert "- [ ] %d% {#b}" in result.markdown


def test_short_answers_are_kept_as_typed():
    result = convert("Which is smaller? {=3 < 4 =a_b *c* #<b>Yes</b>}")
    assert "- [x] 3 < 4 {#a}" in result.markdown
    assert "- [x] a_b *c* {#b}\n  > **Yes**" in result.markdown


def test_short_answers_keep_partial_credit_and_wildcards():
    result = convert("Capital? {=Amsterdam =%50%The Hague #The seat of government. =%0%Rotterdam =A*dam}")
    assert "- [x] Amsterdam {#a}" in result.markdown
    assert "- [x] The Hague {#b weight=50}\n  > The seat of government." in result.markdown
    assert "- [ ] Rotterdam {#c}\n  > Not correct." in result.markdown
    assert "- [x] A*dam {#d}" in result.markdown
    question = _module_question(result)
    assert [grade_question(question, typed).score for typed in ("amsterdam", "the hague", "Rotterdam", "Adam")] == [
        1, 0.5, 0, 1]


def test_matching():
    result = convert("::Match::Match the service. {\n=Hotline -> Call\n=Shelter -> Stay\n"
                     "=Clinic -> Care\n####Each service does one thing.}")
    text = result.markdown
    assert "{#match kind=matching}" in text
    assert "- Hotline => Call {#a}\n- Shelter => Stay {#b}\n- Clinic => Care {#c}\n" in text
    assert "\n  >" not in body(result)  # feedback is optional for pairs and none is generated
    assert question_warnings(result, 1) == []


def test_a_matching_distractor_that_repeats_a_pairs_answer_is_dropped_with_a_warning():
    result = convert("Match {=a -> 1 =b -> 2 = -> 2 = -> 3}")
    assert "- a => 1 {#a}\n- b => 2 {#b}\n- => 3 {#d}\n" in result.markdown
    assert any("'2' is already a pair's answer; it was dropped" in w for w in question_warnings(result, 1))


def test_numerical_with_tolerance():
    result = convert("When was the Palermo Protocol adopted? {#2000:0}\n\nPi? {#3.14:0.01#Close.}")
    assert "{#q-1 kind=numerical}" in result.markdown
    assert "- [x] 2000 {#a}" in result.markdown
    assert "- [x] 3.14 ± 0.01 {#a}\n  > Close." in result.markdown


def test_numerical_range():
    result = convert("A number from 1 to 5? {#1..5}\n\nNegative? {#-5..-1.5}")
    assert "- [x] 1..5 {#a}" in result.markdown
    assert "- [x] -5..-1.5 {#a}" in result.markdown


def test_numerical_partial_credit_wrong_ranges_and_any_other_answer():
    result = convert("Q {#=3:0.5#Exactly. =%50%3:1#Nearly. =%0%10:1#No. ~#Anything else.}")
    text = result.markdown
    assert ("- [x] 3 ± 0.5 {#a}\n  > Exactly.\n- [x] 3 ± 1 {#b weight=50}\n  > Nearly.\n"
            "- [ ] 10 ± 1 {#c}\n  > No.\n- [ ] * {#d}\n  > Anything else.\n\n") in text
    question = _module_question(result)
    graded = {typed: grade_question(question, typed) for typed in ("3.2", "3.8", "10", "42")}
    assert [g.score for g in graded.values()] == [1, 0.5, 0, 0]
    assert [g.feedback for g in graded.values()] == [("a",), ("b",), ("c",), ("d",)]


def test_missing_word_keeps_the_blank():
    result = convert("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert "\nGrant is _____ in Grant's tomb.\n" in result.markdown
    assert "## Grant is ... in Grant's tomb. {#q-1 kind=single}" in result.markdown
    result = convert("{=Amsterdam} is the capital.")
    assert "\n_____ is the capital.\n" in result.markdown


def test_answers_after_the_text_leave_no_blank():
    result = convert("Who is buried here?\n{=nobody}")
    assert "_____" not in result.markdown


@pytest.mark.parametrize("source, reason", [
    ("This is a description of the next questions.", "description"),
    ("Write about your experience. {}", "essay"),
    ("Write about it. {####We hope you reflected.}", "essay"),
])
def test_description_and_essay_are_skipped_with_a_reason(source, reason):
    result = convert(source)
    assert result.converted == 0
    assert len(result.skipped) == 1
    number, line, message = result.skipped[0]
    assert (number, line) == (1, 1)
    assert reason in message


# --- malformed input ------------------------------------------------------------------------

@pytest.mark.parametrize("source, reason", [
    ("Q {=a ~b", "'{' is never closed"),
    ("Q =a ~b}", "'}' without an opening '{'"),
    ("Q {=a {~b}}", "'{' inside an answer block"),
    ("Q {T}\nR {F}", "more than one answer block"),
    ("::Title without end {T}", "title is not closed"),
    ("Q {~a ~b ~c}", "no correct answer"),
    ("Q {=a =b ~c}", "more than one answer is marked '='"),
    ("Q {=only ~}", "answer 2 has no text"),
    ("Q {~%5.5.5%a =b}", "malformed answer weight"),
    ("Q {~%150%a =b}", "outside -100..100"),
    ("Q {=a}{", "unbalanced braces"),
    ("Q {#abc}", "not a number"),
    ("Q {#5..1}", "low end above its high end"),
    ("Q {#3:-1}", "tolerance in '3:-1' is negative"),
    ("Q {#}", "no answers"),
    ("Q {#=%50%3:1 =%0%4}", "no numerical answer has full credit"),
    ("Q {=a -> 1 =b}", "matching pair 2 has no '->'"),
    ("Q {=a -> 1}", "at least two pairs"),
    ("Q {=%50%half}", "no answer has full credit"),
    ("Q {junk ~a =b}", "text before the first answer mark"),
    ("::Only a title:: {T}", "no text"),
])
def test_malformed_questions_are_skipped_with_number_line_and_reason(source, reason):
    result = convert("::Good::Fine {T}\n\n// comment\n" + source)
    assert result.converted == 1
    assert len(result.skipped) == 1, result.skipped
    number, line, message = result.skipped[0]
    assert (number, line) == (2, 4)
    assert reason in message


def test_numbering_counts_skipped_questions_but_not_categories():
    result = convert("$CATEGORY: A\n\nEssay {}\n\n::Ok::Q {T}\n\n$CATEGORY: B\n\n"
                     "Broken {=a\n\nQ2 {F}")
    assert [(s.number, s.line) for s in result.skipped] == [(1, 3), (3, 9)]
    assert result.converted == 2
    assert "{#q-4 kind=true-false" in result.markdown


@pytest.mark.parametrize("source", ["", "\n\n   \n", "// only a comment\n"])
def test_empty_file(source):
    result = convert(source)
    assert result.converted == 0
    assert result.skipped == []
    assert body(result) == ""
    assert front(result)["kind"] == "quiz"
    assert any("no question could be converted" in w.message for w in result.warnings)


def test_binary_junk_is_reported_not_crashed_on():
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(20_000)).decode("latin-1")
    junk += bytes(range(256)).decode("utf-8", errors="surrogateescape")
    result = convert(junk)
    assert result.converted + len(result.skipped) >= 1
    assert all(isinstance(s, GiftIssue) and s.message for s in result.skipped)
    yaml.safe_load(result.markdown.split("---\n")[1])
    result.markdown.encode("utf-8")  # no lone surrogates or other unencodable text


def test_control_characters_and_crlf_are_cleaned():
    result = convert("::T::Q\x00 one\x1b?\r\n{T\r\n}\r\n\r\n\ufeffR {F}")
    assert result.converted == 2
    assert "\r" not in result.markdown and "\x00" not in result.markdown
    assert "\nQ one?\n" in result.markdown


def _bank(count: int, padding: str = "") -> str:
    return "\n\n".join(f"::Question {i}::What is {i} + 1?{padding} {{#{i + 1}}}" if i % 3 else
                         f"Statement {i}.{padding} {{~no =yes #Right. ~maybe}}" for i in range(count))


def test_five_hundred_questions_convert_quickly_and_a_module_over_1_mb_is_flagged():
    started = time.process_time()  # this process's CPU time: other work on the machine does not count
    result = convert(_bank(500, padding=" Think it through." * 110))
    assert time.process_time() - started < 20
    assert result.converted == 500
    assert result.skipped == []
    assert any("larger than 1 MB" in w.message for w in result.warnings)


def test_ten_thousand_questions_are_refused_quickly():
    from trainer.content.gift import GiftTooLarge

    started = time.process_time()
    with pytest.raises(GiftTooLarge):
        convert(_bank(10_000))
    assert time.process_time() - started < 5


# --- a realistic bank -----------------------------------------------------------------------

BANK = r"""// Indicators of trafficking: a mixed bank exported from Moodle
$CATEGORY: $course$/top/Indicators

::Companion answers::[html]<p>A woman attends with a wrist injury. The man with her answers
every question. What do you do <strong>first</strong>?</p>{
  ~Ask him to keep interpreting. #He may be the person controlling her.
  =Arrange to see her alone, with a professional interpreter. #Right: routine care.
  ~Call the police straight away. #Not as a first step for an adult.
  ####Seeing every patient alone, with a professional interpreter, is the foundation.
}

::Indicators of control::Which of these can indicate control? {
  ~%50%Someone else holds the person's passport. #Yes.
  ~%50%The person seems coached. #Yes.
  ~%-50%The person is tired. #Tiredness alone says little.
  ####Look for patterns, not single signs.
}

::Consent::A victim's consent to exploitation makes it legal. {F#Consent is irrelevant once a
means is used.#Right: consent is irrelevant.####Palermo Protocol, art. 3(b).}

::Hotline::The Canadian hotline number starts with {=1-833 =1 833 #Yes.}.

$CATEGORY: $course$/top/Response

::Who to call::Match each situation with the service. {
  =Immediate danger -> Emergency services
  =Advice on a suspicion -> The hotline
  =Housing -> A shelter
}

::Minutes alone::How many minutes alone does the guideline suggest at least?
{#5:1####At least a few minutes.}

// the next item introduces a section and cannot be converted
::Section intro::The next questions are about children.

::Children::A child needs no "means" element for trafficking. {TRUE####Art. 3(c).}

::Reflection::Describe what you would do next. {}

::Interpreter::Who should interpret? {
  =A professional interpreter #Right.
  ~A family member #They may be involved.
  ~The companion #He may be the trafficker.
}

::Broken::This question lost its closing brace {=yes
"""


def test_realistic_bank():
    result = convert(BANK)
    assert result.converted == 8
    assert [(s.number, s.line) for s in result.skipped] == [(7, 36), (9, 40), (11, 48)]
    assert "description" in result.skipped[0].message
    assert "essay" in result.skipped[1].message
    assert "never closed" in result.skipped[2].message
    text = result.markdown
    for heading in [
        '## Companion answers {#companion-answers kind=single tags="indicators"}',
        '## Indicators of control {#indicators-of-control kind=multiple tags="indicators"}',
        '## Consent {#consent kind=true-false tags="indicators"}',
        '## Hotline {#hotline kind=short tags="indicators"}',
        '## Who to call {#who-to-call kind=matching tags="response"}',
        '## Minutes alone {#minutes-alone kind=numerical tags="response"}',
        '## Children {#children kind=true-false tags="response"}',
        '## Interpreter {#interpreter kind=single tags="response"}',
    ]:
        assert heading in text
    assert "What do you do **first**?" in text
    assert "- [ ] The person is tired. {#c weight=-50}" in text
    assert "- [x] False {#false}\n  > Right: consent is irrelevant." in text
    assert "The Canadian hotline number starts with _____." in text
    assert "- [x] 5 ± 1 {#a}" in text
    assert "- Housing => A shelter {#c}" in text
    assert text.count("::: explanation") == 8
    assert front(result)["minutes"] == 8
    assert question_warnings(result, 4) == [
        "the feedback of options b says only whether the answer is right: say why, so that a learner "
        "learns from it",
        "feedback was generated for options a: write real feedback",
        "no general feedback: the explanation is a placeholder; write one"]
    assert question_warnings(result, 1) == []


def test_output_has_no_raw_html_or_tabs():
    result = convert(BANK)
    assert "<p>" not in result.markdown and "<strong>" not in result.markdown
    assert "\t" not in result.markdown


# --- round trip through the module parser ---------------------------------------------------

ROUND_TRIP_SOURCES = [
    BANK,
    "Grant is {~buried =entombed ~living} in Grant's tomb.",
    "Q {~%50%a #x ~%50%b ~%-100%c ~d}\n\nQ {~%33.33333%a ~%33.33333%b ~%33.33333%c}",
    "Q {=right ~%50%half ~%-50%wrong}",
    "Q {T}\n\nQ {FALSE#wrong#right####why}\n\nQ {t}",
    "Q {=a =%50%b =%0%c #no}\n\nQ {=3 < 4 =a_b *c*}",
    "Match {=a -> 1 =b -> 2 = -> 3}\n\nMatch {=x => y -> 1 =[x] -> 2 #fb}",
    "Q {#1822:5}\n\nQ {#1..5}\n\nQ {#=3:0.5 =%50%3:1 =%0%9 ~#other}\n\n"
    "Q {#-5..-1.5}\n\nQ {#.5:1e2}",
    r"::Ratio 1\:2::Is 2 \= 2 \~ \# \{x\} \\ ok?\nNew line {=yes \= indeed #Right\: yes}",
    "[markdown]## Heading\\n- [x] not an option\\n::: explanation\\n- Left => Right\\n"
    "```\\n===\\n---\\n~~~\\nEnds with \\{#id\\} {T}",
    '[html]<h2>Head</h2><p>Read <b>this</b> &amp; <a href="https://example.org/x">that</a>'
    '</p><ul><li>one<ul><li>nested</li></ul></li><li>two</li></ul><img src="x.png" alt="A">'
    "<script>alert(1)</script>{=<i>yes</i>#<p>good</p><p>really</p> ~no####<p>why</p>}",
    "[plain]Is a*b*c <b>bold</b> \\{#id\\}? {T}",
    "$CATEGORY: $course$/top/A b/C\n// [tag:x y]\n::T::Q {T}",
    "Options {~[x] a =[ ] b ~c \\{#d\\} ~ends with \\{\\}}",
]


@pytest.mark.parametrize("source", ROUND_TRIP_SOURCES)
def test_output_parses_without_problems(source):
    result = convert(source)
    assert result.converted >= 1, result.skipped
    parsed = parse_module_text(result.markdown, "imported.md")
    assert [str(p) for p in parsed.problems] == []
    assert len(parsed.spec.questions) == result.converted


def test_round_trip_keeps_kinds_answers_weights_and_ranges():
    result = convert(BANK)
    questions = {q.id: q for q in parse_module_text(result.markdown).spec.questions}
    assert [q.kind for q in questions.values()] == [
        "single", "multiple", "true-false", "short", "matching", "numerical", "true-false",
        "single"]
    control = questions["indicators-of-control"]
    assert [(o.correct, o.weight) for o in control.options] == [
        (True, 50.0), (True, 50.0), (False, -50.0)]
    assert [(o.low, o.high) for o in questions["minutes-alone"].options] == [(4.0, 6.0)]
    assert [(o.left, o.right) for o in questions["who-to-call"].options][2] == (
        "Housing", "A shelter")
    assert questions["hotline"].tags == ("indicators",)
    assert "_____" in questions["hotline"].stem_html


def test_converted_questions_grade_as_in_moodle():
    source = ("Q {~%50%a ~%50%b ~%-100%c}\n\nQ {#=3:0.5 =%50%3:1}\n\n"
              "Q {=no one =nobody}\n\nQ {F}\n\nQ {=a -> 1 =b -> 2}")
    multiple, numerical, short, true_false, matching = parse_module_text(
        convert(source).markdown).spec.questions
    assert grade_question(multiple, {"a", "b"}).score == 1
    assert grade_question(multiple, {"a"}).score == 0.5
    assert grade_question(multiple, {"a", "c"}).score == 0
    assert grade_question(numerical, "3.2").score == 1
    assert grade_question(numerical, "3.8").score == 0.5
    assert grade_question(numerical, "5").score == 0
    assert grade_question(short, "  No  One ").correct
    assert grade_question(true_false, {"false"}).correct
    assert grade_question(matching, {"a": "a", "b": "b"}).correct


MOODLE_EXPORT = """// question: 0  name: Switch category to $course$/top/Default for Safe\
guarding/Indicators
$CATEGORY: $course$/top/Default for Safeguarding/Indicators


// question: 12  name: Passport
::Passport::[html]<p>Someone else holds her passport\\: is this an indicator?</p>{TRUE#<p>It \
is.</p>#<p>Right.</p>####<p>Control of documents is a key indicator.</p>}


// question: 13  name: Debt
::Debt::[html]<p>Which are indicators?</p>{
\t~%50%<p>Debt bondage</p>#<p>Yes.</p>
\t~%50%<p>Confiscated ID</p>#<p>Yes.</p>
\t~%-100%<p>Has a phone</p>#<p>No.</p>
\t####<p>Patterns matter.</p>
}


// question: 14  name: Year
::Year::[html]<p>Year of the Palermo Protocol?</p>{#
\t=%100%2000:0#<p>Yes.</p>
\t~#<p>It was 2000.</p>
}


// question: 15  name: Hotline
::Hotline::[html]<p>Name the service you would call.</p>{
\t=%100%hotline#
\t=%50%helpline#<p>Nearly.</p>
}


// question: 16  name: Match
::Match::[html]<p>Match.</p>{
\t=<p>Police</p> -> Emergency
\t=<p>Shelter</p> -> Housing
\t####<p>Know your services.</p>
}


// question: 17  name: Essay
::Essay::[html]<p>Reflect.</p>{}
"""


def test_a_moodle_export_converts_and_parses():
    result = convert(MOODLE_EXPORT)
    assert result.converted == 5
    assert result.skipped == [(6, 41, "essay question: free-text answers cannot be graded "
                                      "automatically")]
    text = result.markdown
    assert '## Passport {#passport kind=true-false tags="indicators"}' in text
    assert "Someone else holds her passport: is this an indicator?" in text
    assert "- [x] True {#true}\n  > Right.\n- [ ] False {#false}\n  > It is." in text
    assert "- [ ] Has a phone {#c weight=-100}\n  > No." in text
    assert "- [x] 2000 {#a}\n  > Yes." in text
    assert "- [x] hotline {#a}\n  > Correct.\n- [x] helpline {#b weight=50}\n  > Nearly." in text
    assert "- Police => Emergency {#a}\n- Shelter => Housing {#b}" in text
    assert "- [ ] * {#b}\n  > It was 2000." in text
    assert [str(p) for p in parse_module_text(text).problems] == []


# --- limits ---------------------------------------------------------------------------------

def test_a_file_with_more_than_500_questions_is_refused_whole():
    from trainer.content.gift import GiftTooLarge

    questions = "\n\n".join(f"::Q{n}::Statement {n} is true.{{T}}" for n in range(1, 502))
    with pytest.raises(GiftTooLarge) as refused:
        convert(questions)
    assert refused.value.what == "questions" and refused.value.found == 501


def test_500_questions_and_their_categories_are_converted():
    questions = "\n\n".join(f"$CATEGORY: $course$/Bank {n}\n\n::Q{n}::Statement {n} is true.{{T}}"
                            for n in range(1, 501))
    assert convert(questions).converted == 500


def test_a_file_over_1_mb_is_refused_before_it_is_read():
    from trainer.content.gift import GiftTooLarge

    with pytest.raises(GiftTooLarge) as refused:
        convert("::Q::" + "é" * 600_000 + "{T}")
    assert refused.value.what == "bytes"


@pytest.mark.parametrize("mark", ["true", "false", "t", "True"])
def test_true_or_false_in_lower_case_is_a_short_answer_as_in_moodle(mark):
    result = convert(f"Type the word. {{{mark}}}")
    assert "kind=short" in result.markdown and f"- [x] {mark} {{#a}}" in result.markdown


def test_the_question_id_comes_from_moodles_id_comment():
    result = convert("// [id:Indicator Q7]\n::Passport::Who holds it? {=Someone else ~She does}\n\n"
                     "// [id:passport]\n::Other::Q {=a ~b}")
    assert "{#indicator-q7 kind=single}" in result.markdown
    assert "{#passport kind=single}" in result.markdown
    assert any("'Indicator Q7' is not a valid id" in w for w in question_warnings(result, 1))


def test_an_answer_block_without_marks_is_a_short_answer_as_in_moodle():
    result = convert("Q {just text}")
    assert result.skipped == [] and "- [x] just text {#a}" in result.markdown


def test_feedback_that_only_says_right_or_wrong_is_flagged():
    result = convert("Q {=A #Correct! ~B #Wrong. ~C #C confuses control with consent.}")
    assert any("the feedback of options a, b says only whether the answer is right" in w
               for w in question_warnings(result, 1))


def test_moodles_extra_matching_answers_become_extra_right_sides():
    result = convert("Match. {=Cat -> cat food =Dog -> dog food = -> bird seed}")
    assert "- => bird seed {#c}" in result.markdown
    question = _module_question(result)
    assert grade_question(question, {"a": "a", "b": "b"}).score == 1
    assert grade_question(question, {"a": "c", "b": "b"}).score == 0.5


def test_an_image_carried_in_the_file_becomes_a_course_image():
    import base64

    from tests.support.samples import tiny_png

    data = base64.b64encode(tiny_png()).decode()
    result = convert(f'[html]<p>Which sign? <img src\\="data:image/png;base64,{data}" alt\\="A wrist tattoo"></p>'
                     "{=Branding ~A fashion choice}")
    [(name, stored)] = result.images.items()
    assert stored == tiny_png() and name.startswith("images/gift-") and name.endswith(".png")
    assert f"![A wrist tattoo]({name})" in result.markdown
    assert any("kept as" in w for w in question_warnings(result, 1))
    fake = convert('[html]<img src\\="data:image/png;base64,PHN2Zz4\\=" alt\\="x">{T}')
    assert fake.images == {} and "(image: x)" in fake.markdown


def test_carried_images_reach_the_course_folder(tmp_path):
    import base64

    from tests.support.samples import tiny_png
    from trainer.services.authoring import gift_into_folder

    (tmp_path / "course.md").write_text("---\nid: c\nmodules:\n  - a.md\n---\n")
    data = base64.b64encode(tiny_png()).decode()
    gift = f'[html]<img src\\="data:image/png;base64,{data}" alt\\="A chart"> Q{{=Yes #Right: it is. ~No #It is.}}'
    name, result = gift_into_folder(tmp_path, gift.encode(), "02-bank", "Bank")
    [image] = result.images
    assert (tmp_path / image).read_bytes() == tiny_png() and (tmp_path / name).exists()

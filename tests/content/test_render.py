"""Markdown rendering and the sanitiser: raw HTML never survives, Markdown does."""
import pytest

from trainer.content import render_markdown, sanitize
from trainer.content.render import Renderer

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="images/x.png" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="position:fixed">styled</p>',
    "<svg onload=alert(1)><circle r=10 /></svg>",
    "<!-- a comment <script>alert(1)</script> -->",
    "<div><p><b>nested <i>and <u>unclosed",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<style>body { display: none }</style>",
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name=x></form>',
]
FORBIDDEN = ["<script", "onerror", "onclick", "onload", "javascript:", "data:", "<iframe",
             "style=", "<svg", "<!--", "<div", "<b>", "<i>", "<u>", "<object", "<embed",
             "<form", "<input", "<style", "alert(1)</"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_raw_html_and_unsafe_urls_are_removed(attack):
    html = render_markdown(f"Before {attack} after.\n\n{attack}\n").lower()
    for bad in FORBIDDEN:
        assert bad not in html, (attack, html)


def test_script_and_style_content_is_dropped_too():
    assert render_markdown("a <script>alert(1)</script> b") == "<p>a  b</p>"
    assert render_markdown("<style>p{}</style>Text") == "<p>Text</p>"


def test_normal_markdown_is_intact():
    text = ("# Title\n\nSome **bold**, *em*, `code` and a [link](https://example.org \"t\").\n\n"
            "- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n---\n\n"
            "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nx = '<b>'\n```\n")
    html = render_markdown(text)
    for piece in ["<h1>Title</h1>", "<strong>bold</strong>", "<em>em</em>", "<code>code</code>",
                  '<a href="https://example.org" title="t" rel="noopener noreferrer">link</a>',
                  "<ul>\n<li>one</li>", "<ol>\n<li>first</li>", "<blockquote>", "<hr>",
                  '<th align="left">a</th>', '<td align="right">2</td>',
                  "<pre><code>x = '&lt;b&gt;'\n</code></pre>"]:
        assert piece in html, piece


def test_allowed_link_schemes():
    html = render_markdown("[a](mailto:x@example.org) [b](tel:+3120) [c](../other) "
                           "[d](ftp://x.example)")
    assert 'href="mailto:x@example.org"' in html
    assert 'href="tel:+3120"' in html
    assert 'href="../other"' in html
    assert "ftp:" not in html


def test_callouts_with_and_without_title():
    html = render_markdown('::: warning "Careful"\nText.\n:::\n\n::: myth-fact\n- a\n:::\n')
    assert html == ('<aside class="callout callout-warning" role="note">\n'
                    '<p class="callout-title">Careful</p>\n<p>Text.</p>\n</aside>\n'
                    '<aside class="callout callout-myth-fact" role="note">\n'
                    '<p class="callout-title">Myth and fact</p>\n<ul>\n<li>a</li>\n</ul>\n'
                    "</aside>")


def test_callout_right_after_a_paragraph_and_default_titles_in_dutch():
    html = render_markdown("Tekst.\n::: who-to-call\nBel.\n:::\nNa.", language="nl")
    assert html.startswith("<p>Tekst.</p>\n<aside class=\"callout callout-who-to-call\"")
    assert '<p class="callout-title">Wie te bellen</p>' in html
    assert html.endswith("<p>Na.</p>")


def test_authors_cannot_forge_classes():
    html = sanitize('<p class="evil">x</p><aside class="callout callout-bogus" role="alert">y'
                    '</aside>')
    assert html == "<p>x</p><aside>y</aside>"


def test_images_are_recorded_and_rewritten():
    renderer = Renderer(image_url=lambda src: "/media/" + src)
    html = renderer.render("![A room](images/room.png) ![Far](https://evil.example/t.png)")
    assert html == '<p><img alt="A room" src="/media/images/room.png"> </p>'
    assert [(i.src, i.alt) for i in renderer.images] == [
        ("images/room.png", "A room"), ("https://evil.example/t.png", "Far")]


def test_render_inline_drops_the_paragraph():
    assert Renderer().render_inline("A *b*") == "A <em>b</em>"
    assert Renderer().render_inline("") == ""


# --- inputs python-markdown renders in time that grows with the square of their length ------

SLOW_INPUTS = {
    "unclosed brackets": "[" * 8000,
    "nested brackets": "[[]" * 5000,
    "unclosed link addresses": "[x](" * 4000,
    "unclosed link titles": '[t](l"x) ' * 2000,
    "headings without blank lines": "# a\n" * 8000,
    "underlined headings": "a\n=\n" * 8000,
    "rules without blank lines": "***\n" * 8000,
    "emphasis in one paragraph": "*a* " * 30000,
}


@pytest.mark.parametrize("text", SLOW_INPUTS.values(), ids=SLOW_INPUTS.keys())
def test_slow_inputs_are_refused_quickly_and_shown_as_text(text):
    import time

    renderer = Renderer()
    started = time.process_time()  # this process's CPU time: other work on the machine does not count
    html = renderer.render(text)
    assert time.process_time() - started < 3  # 0.1 s or so; python-markdown alone takes 4 to 120 s
    assert renderer.refused
    assert html.startswith("<p>") and "<a " not in html and "<h1>" not in html


def test_callouts_nested_deeper_than_five_stay_text():
    text = "::: note\n" * 3000 + "deep\n"
    html = Renderer().render(text)
    assert html.count("<aside") == 5 and "::: note" in html


@pytest.mark.parametrize("text, html", [
    ("Call [the hotline now. " + "More words. " * 400, "<p>Call [the hotline now."),
    ("[a [b] c](https://x.org) and [d][e]\n\n[e]: https://y.org",
     '<a href="https://x.org" rel="noopener noreferrer">a [b] c</a> and <a href="https://y.org"'),
    ('[t](https://x.org "A title") ' * 40, 'title="A title"'),
    ("- item with a [link](https://x.org)\n" * 300, "<li>item with a <a href"),
    ("| a | b |\n|---|---|\n" + "| [x](https://x.org) | **y** |\n" * 300, "<td><strong>y</strong></td>"),
], ids=["one stray bracket", "nested and reference links", "titles", "a long list", "a long table"])
def test_ordinary_text_is_never_refused(text, html):
    renderer = Renderer()
    assert html in renderer.render(text)
    assert renderer.refused == []

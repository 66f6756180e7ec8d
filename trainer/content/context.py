"""What the per-kind body parsers share: the problem list, the renderer and common checks."""
from __future__ import annotations

from dataclasses import dataclass

from .problems import Problems
from .render import Renderer
from .scan import Block, Line, text_of

MISPLACED = {
    "alternative": '::: alternative is only allowed in a lesson section with a note="..."',
    "explanation": "::: explanation belongs under a quiz question",
}


@dataclass
class Context:
    """Parsing state for one module body; ``kind_line`` is where module-wide problems go."""

    problems: Problems
    renderer: Renderer
    kind_line: int = 1

    def render(self, lines: list[Line]) -> str:
        """Render some body lines to safe HTML."""
        return self.renderer.render(text_of(lines))

    def render_text(self, text: str) -> str:
        """Render a piece of Markdown to safe HTML."""
        return self.renderer.render(text)

    def render_inline(self, text: str) -> str:
        """Render one-line Markdown to safe HTML without a ``<p>``."""
        return self.renderer.render_inline(text)

    def unique(self, ident: str | None, line: int, seen: dict[str, int]) -> None:
        """Report an id already used in the same scope (``seen`` maps id to first line)."""
        if ident is None:
            return
        if ident in seen:
            self.problems.error(line, f"duplicate id '{ident}' (first used on line {seen[ident]})")
        else:
            seen[ident] = line

    def reject_specials(self, block: Block, allowed: tuple[str, ...] = ()) -> None:
        """Report ``::: alternative``/``::: explanation`` fences where they do not belong."""
        for container in block.specials:
            if container.kind not in allowed:
                self.problems.error(container.line, MISPLACED[container.kind])

"""Where an `@font-face` rule is written, so that WeasyPrint's "cannot be loaded" names its file and line.

WeasyPrint says only the family of a font face it could not load. The rules that can name one are
in the author's stylesheets (the `--style` file and the project stylesheets it imports) and in the
<style> of an SVG a post shows; the package's own faces always load. Looked up only when such a
record arrives, so a build without one reads nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from guide.cssimports import Sheet, font_face_rules
from guide.images import SVG_NS, looks_like_svg, svg_root


def locate_font_face(
    family: str, sheets: Iterable[Sheet], images: Iterable[Path], project: Path
) -> tuple[str, int] | None:
    """The file and line of the first `@font-face` rule for `family`: in `sheets`, then in SVG `images`."""
    wanted = family.casefold()
    for path, line, named in _rules(sheets, images, project):
        if named.casefold() == wanted:
            return path, line
    return None


def _rules(sheets: Iterable[Sheet], images: Iterable[Path], project: Path) -> Iterator[tuple[str, int, str]]:
    for sheet in sheets:
        yield from ((sheet.shown, line, named) for named, line in font_face_rules(sheet.text))
    for image in images:
        try:
            data = image.read_bytes()
        except OSError:
            continue
        root = svg_root(data) if looks_like_svg(data) else None
        if root is None:
            continue
        shown = image.relative_to(project).as_posix()
        for style in root.iter(f"{SVG_NS}style"):
            first = style.sourceline if isinstance(style.sourceline, int) else 1
            yield from ((shown, first + line - 1, named) for named, line in font_face_rules(style.text or ""))

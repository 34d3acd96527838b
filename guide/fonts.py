"""The fonts a guide is set in: shipped with the project's dependencies, never the machine's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import font_source_sans_pro
import font_source_serif_pro

from guide.resources import STYLES_DIR

SERIF_DIR = Path(font_source_serif_pro.font_directory)
SANS_DIR = Path(font_source_sans_pro.font_directory)
FONT_DIRS = (SERIF_DIR, SANS_DIR, STYLES_DIR / "fonts")


@dataclass(frozen=True)
class Face:
    """One @font-face rule."""

    family: str
    path: Path
    weight: int = 400
    style: str = "normal"


FACES = (
    Face("Guide Serif", SERIF_DIR / "SourceSerifPro-Regular.otf"),
    Face("Guide Serif", SERIF_DIR / "SourceSerifPro-It.otf", style="italic"),
    Face("Guide Serif", SERIF_DIR / "SourceSerifPro-Semibold.otf", weight=600),
    Face("Guide Serif", SERIF_DIR / "SourceSerifPro-Bold.otf", weight=700),
    Face("Guide Serif", SERIF_DIR / "SourceSerifPro-BoldIt.otf", weight=700, style="italic"),
    Face("Guide Sans", SANS_DIR / "SourceSansPro-Regular.otf"),
    Face("Guide Sans", SANS_DIR / "SourceSansPro-It.otf", style="italic"),
    Face("Guide Sans", SANS_DIR / "SourceSansPro-Semibold.otf", weight=600),
    Face("Guide Sans", SANS_DIR / "SourceSansPro-Bold.otf", weight=700),
    Face("Guide Mono", STYLES_DIR / "fonts" / "Inconsolata.otf"),
)


def font_face_css() -> str:
    """Return the @font-face rules that bind the guide's families to their files."""
    rules = []
    for face in FACES:
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{face.path.as_uri()}"); '
            f"font-weight: {face.weight}; font-style: {face.style}; }}"
        )
    return "\n".join(rules)

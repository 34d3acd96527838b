"""Report how many imported posts of the real corpus render as their source: `make roundtrip`.

Imports each source of ../shared/realworld (as `make realworld` does) into a scratch project and
counts the posts written, the posts verified (their Markdown, rendered by the build's reader,
shows the same text, lists, code, tables, figures, definitions, scripts, images and links as the
source HTML) and, for the others, which kinds of element differ. A report, not a test: exits 0.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from guide.errors import GuideError
from guide.importing.options import ImportOptions
from guide.importing.run import import_sources
from guide.importing.verify import FEATURES

ELEMENTS = "|".join(re.escape(name) for name, _ in FEATURES)
DIFFERENCE_RE = re.compile(rf"^post '.*?': ({ELEMENTS}|whole post) (?:lost|changed|added)")


def corpus(root: Path) -> list[tuple[str, list[Path]]]:
    """The sources `make realworld` imports, grouped as it imports them."""
    groups = [(p.name, [p]) for p in sorted((root / "wxr").glob("*.xml"))]
    groups += [(p.name, [p]) for p in sorted((root / "feeds").iterdir())]
    groups.append(("posts/jekyll", sorted((root / "posts" / "jekyll").iterdir())))
    hugo = sorted(p for p in (root / "hugo").rglob("*.md") if p.name != "_index.md")
    if hugo:
        groups.append(("hugo", hugo))
    return groups


def main() -> int:
    """Print one line per source and the totals."""
    root = Path(os.environ.get("GUIDE_REALWORLD", "../shared/realworld"))
    totals: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for name, paths in corpus(root):
        with tempfile.TemporaryDirectory() as scratch:
            try:
                result = import_sources(paths, ImportOptions(project=Path(scratch)))
            except GuideError as exc:
                print(f"{name}: not imported ({exc.diagnostics[0].message})")
                continue
        posts = len(result.written)
        found = Counter(
            m.group(1) for w in result.warnings if (m := DIFFERENCE_RE.match(w.message)) is not None
        )
        totals.update(posts=posts, verified=result.verified, differing=posts - result.verified)
        kinds.update(found)
        if "-v" in sys.argv:
            for warning in result.warnings:
                if DIFFERENCE_RE.match(warning.message):
                    print("   ", warning.message[:300])
        detail = ", ".join(f"{kind} {count}" for kind, count in found.most_common())
        print(f"{name}: {posts} posts, {posts - result.verified} differ" + (f" ({detail})" if detail else ""))
    print(
        f"total: {totals['posts']} posts, {totals['verified']} verified, "
        f"{totals['differing']} with differences"
    )
    print("differences by element: " + ", ".join(f"{k} {c}" for k, c in kinds.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

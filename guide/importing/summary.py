"""The lines `guide import` prints: what was read, imported, skipped and warned about."""

from __future__ import annotations

from pathlib import Path

from guide.importing.run import ImportResult
from guide.manifest import MANIFEST_NAME


def import_summary(result: ImportResult, project: Path) -> list[str]:
    """Return the summary of an import, one line each."""
    lines = [f"read {s.source_path}: {s.format}, {_count(s.articles, 'item')}" for s in result.sources]
    imported = len(result.written) + len(result.unchanged)
    lines.append(
        f"imported {_count(imported, 'post')} into {project / 'chapters'}: "
        f"{len(result.written)} written, {len(result.unchanged)} unchanged, "
        f"{result.verified} verified against their source"
    )
    if result.skipped:
        reasons = ", ".join(f"{count} {reason}" for reason, count in result.skip_counts())
        lines.append(f"skipped {len(result.skipped)}: {reasons}")
    if result.media:
        lines.append(f"copied {_count(len(result.media), 'image')} into {project / 'chapters' / 'media'}")
    if result.replaced_sample:
        lines.append(
            f"removed the sample chapter {project / result.replaced_sample} (unchanged since guide new)"
        )
    if result.manifest == "unchanged":
        lines.append(f"{project / MANIFEST_NAME} unchanged")
    else:
        lines.append(f"{result.manifest} {project / MANIFEST_NAME}")
    if result.warnings:
        lines.append(f"{_count(len(result.warnings), 'warning')}:")
        lines.extend(str(warning) for warning in result.warnings)
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

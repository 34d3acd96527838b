"""The one error type an author can act on, and the diagnostics it carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad a diagnostic is: warnings are survivable, errors are not."""

    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the author's files."""

    source_path: str
    """Path relative to the project (or as the author gave it)."""
    line: int | None
    """1-based line number, when the format gives one."""
    message: str
    """What is wrong, phrased so the author can fix it."""
    severity: Severity = Severity.ERROR
    """Whether the build can go on."""

    def __str__(self) -> str:
        where = self.source_path if self.line is None else f"{self.source_path}:{self.line}"
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}: {prefix}{self.message}"


class GuideError(Exception):
    """An author mistake: one or more diagnostics, every one fixable in the sources."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else diagnostics
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass
class Report:
    """Collects the diagnostics of a stage so all of them are reported at once."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, source_path: str, line: int | None, message: str) -> None:
        """Record an error."""
        self.diagnostics.append(Diagnostic(source_path, line, message))

    def warn(self, source_path: str, line: int | None, message: str) -> None:
        """Record a warning."""
        self.diagnostics.append(Diagnostic(source_path, line, message, Severity.WARNING))

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics that stop a build."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The diagnostics a build survives."""
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def raise_if_errors(self, strict: bool = False) -> None:
        """Raise GuideError with every diagnostic if any is fatal (every warning is, when strict)."""
        if self.errors or (strict and self.diagnostics):
            raise GuideError(list(self.diagnostics))

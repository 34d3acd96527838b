"""What the CLI shows on a terminal while a build runs: a progress bar with its stages and page count."""

from __future__ import annotations

import re
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

STAGES = (
    ("Reading", "Reading posts"),
    ("Fetching and parsing HTML", "Parsing HTML"),
    ("Fetching and parsing CSS", "Parsing CSS"),
    ("Applying CSS", "Applying styles"),
    ("Creating formatting structure", "Building boxes"),
    ("Creating layout", "Laying out pages"),
    ("Creating PDF", "Writing the PDF"),
    ("Adding PDF metadata", "Writing the PDF"),
    ("Writing", "Writing the PDF"),
)
"""(what a progress message starts with, the stage shown), in the order a build goes through them."""
PAGE = re.compile(r"Page (\d+)")
PART = re.compile(r"\((\d+)/(\d+)\)")


class BuildProgress:
    """A rich progress bar fed with the pipeline's progress messages (`update` is a Progress)."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<18}"),
            BarColumn(),
            TextColumn("stage {task.fields[stage]}/{task.fields[stages]}"),
            TextColumn("{task.fields[pages]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task: TaskID | None = None
        self.pages = 0

    def __enter__(self) -> BuildProgress:
        self.bar.start()
        self.task = self.bar.add_task("Starting", total=len(STAGES), stage=0, stages=len(STAGES), pages="")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.bar.stop()

    def update(self, message: str) -> None:
        """Advance to the stage `message` belongs to; count laid-out pages."""
        assert self.task is not None
        index = next((i for i, (start, _) in enumerate(STAGES) if message.startswith(start)), None)
        if index is None:
            return
        done = float(index)
        part = PART.search(message)
        if index == 0 and part:
            done = int(part.group(1)) / int(part.group(2))
        page = PAGE.search(message)
        if page:
            self.pages = max(self.pages, int(page.group(1)))
        shown = f"{self.pages} pages" if self.pages else ""
        stage = STAGES[index][1]
        # Drawn at once when the stage changes: the bar redraws itself 10 times a second, so a stage
        # shorter than that (reading cached posts) would otherwise never be seen.
        new_stage = stage != self.bar.tasks[0].description
        self.bar.update(
            self.task, completed=done, description=stage, stage=index + 1, pages=shown, refresh=new_stage
        )

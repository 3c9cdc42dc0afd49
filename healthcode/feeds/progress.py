"""The progress bar of `healthcode feed load`: bytes of the file read so far, drawn by rich on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def progress_bar(path: Path, enabled: bool) -> Iterator[Callable[[int], None]]:
    """Yields an `on_progress(done_bytes)` callback; a no-op when disabled (JSON output, no terminal)."""
    if not enabled:
        yield lambda _done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    try:
        total = Path(path).stat().st_size
    except OSError:
        total = None
    columns = (TextColumn("加载 {task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(Path(path).name, total=total)
        yield lambda done: progress.update(task, completed=done)

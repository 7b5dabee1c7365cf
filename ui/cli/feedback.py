"""What the command line shows while it works, all on stderr: a status line (spinner) while
models load, progress bars for long jobs, and, with -v, Footnote's own log lines (libraries
stay at warnings). Nothing of this shows on a pipe or under -q."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

OWN_LOGGERS = ("rag", "ingest", "ui", "evals")


class _StderrHandler(logging.StreamHandler):
    """Writes to the current sys.stderr (which tests and tools may swap), not the one at
    start-up."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def setup_logging(verbosity: int) -> None:
    """-q (-1): errors only; default: warnings; -v: Footnote's own info lines (retrieval, the
    gate, the check of each sentence); -vv: Footnote's debug lines and libraries' info."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    levels = {-1: (logging.ERROR, logging.NOTSET), 0: (logging.WARNING, logging.NOTSET)}
    levels[1] = (logging.WARNING, logging.INFO)
    libraries, own = levels.get(verbosity, (logging.INFO, logging.DEBUG))
    root.setLevel(libraries)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(own)


def interactive(verbosity: int) -> bool:
    """Whether status lines and progress bars are shown: stderr is a terminal and not -q."""
    return verbosity >= 0 and sys.stderr.isatty()


class _Status:
    """A status line that can change its text; `None` console: nothing is drawn."""

    def __init__(self, live=None, log: logging.Logger | None = None):
        self.live, self.log = live, log

    def update(self, message: str) -> None:
        if self.log:
            self.log.info("%s", message)
        if self.live is not None:
            self.live.update(message)


@contextlib.contextmanager
def status(message: str, verbosity: int, log: logging.Logger | None = None) -> Iterator[_Status]:
    """A spinner with `message` on stderr while the block runs (only on a terminal, not under
    -q); the message is also logged (seen with -v)."""
    if log:
        log.info("%s", message)
    if not interactive(verbosity):
        yield _Status(None, log)
        return
    from rich.console import Console  # only on a terminal: rich costs an import

    with Console(stderr=True).status(message, spinner="dots") as live:
        yield _Status(live, log)


def progress_bar(verbosity: int, **options):
    """A tqdm bar on stderr (hidden on a pipe, under -q, and for jobs under two seconds)."""
    from tqdm import tqdm

    options.setdefault("delay", 2)
    return tqdm(file=sys.stderr, disable=True if verbosity < 0 else None, **options)


def warm_up(component) -> None:
    """Load a model now (under a status line) rather than at its first use."""
    load = getattr(component, "warm_up", None)
    if load is not None:
        load()

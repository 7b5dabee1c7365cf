"""The command line: `footnote ...` (entry point `ui.cli:main`)."""

from ui.cli.main import main

__all__ = ["main"]

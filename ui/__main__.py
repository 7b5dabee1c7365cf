"""`python -m ui` runs the `footnote` command."""

from ui.cli import main

main(prog_name="footnote")

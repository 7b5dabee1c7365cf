"""`python -m rag` runs the `footnote` command."""

from rag.cli import main

main()

"""Sources -> fetch -> extract -> chunk -> store: files, folders and URLs."""

from ingest.pipeline import Ingestor, IngestReport

__all__ = ["IngestReport", "Ingestor"]

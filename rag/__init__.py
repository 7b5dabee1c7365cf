"""Footnote's core: types, settings and errors at the top; `storage`, `retrieval`, `answering`
and `models` below, one subpackage per stage."""

from rag.errors import (
    ConfigError,
    FootnoteError,
    IndexMismatchError,
    IngestError,
    ModelError,
    QuestionError,
)
from rag.settings import Settings, load_settings
from rag.types import ANSWERED, NOT_IN_SOURCES, Answer, Chunk, Citation, Document, Hit, Sentence

__all__ = [
    "ANSWERED",
    "NOT_IN_SOURCES",
    "Answer",
    "Chunk",
    "Citation",
    "ConfigError",
    "Document",
    "FootnoteError",
    "Hit",
    "IndexMismatchError",
    "IngestError",
    "ModelError",
    "QuestionError",
    "Sentence",
    "Settings",
    "load_settings",
]

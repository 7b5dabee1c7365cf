"""Footnote's core: types, settings, store, embedding, index, retrieval, generation, citations."""

from rag.config import Settings, load_settings
from rag.errors import (
    ConfigError,
    FootnoteError,
    IndexMismatchError,
    IngestError,
    ModelError,
    QuestionError,
)
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

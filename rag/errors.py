"""Footnote's error tree. Messages name the offending value and the fix."""


class FootnoteError(Exception):
    """Base of every error Footnote raises on purpose."""


class ConfigError(FootnoteError):
    """A setting or config file is invalid."""


class IngestError(FootnoteError):
    """A source could not be ingested (missing, unreadable, binary, too large, empty, dead URL)."""


class IndexMismatchError(FootnoteError):
    """The vector index on disk was built with other settings, or is corrupt."""


class ModelError(FootnoteError):
    """A model file is missing, corrupt or cannot be loaded."""


class QuestionError(FootnoteError):
    """A question is empty or too long."""


class NotFound(FootnoteError):
    """An id that does not exist (or is not visible to the caller)."""

"""Generation: chat messages -> streamed text. One interface (`Generator`) and three backends,
each in its own module and imported where chosen (ui/compose/backends.py): llama.cpp in process
(`llamacpp`), any OpenAI-compatible server (`remote`), transformers in process (`hf`). Answering
(rag/answering) only sees the interface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class Generator(Protocol):
    """Streams the reply to chat messages as text pieces."""

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]: ...


__all__ = ["Generator"]

"""llama.cpp in process: chat messages -> streamed text, and next-token probabilities for the
judge (the fakes are rag.fakes)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from rag.errors import ModelError


class LlamaCppGenerator:
    """A GGUF model run by llama.cpp; weights load on first use. Greedy decoding."""

    def __init__(
        self, path: Path | Callable[[], Path], context_tokens: int = 4096, threads: int = 0
    ):
        # a callable defers finding the file to first use: retrieval-only work needs no model
        self._path, self.context_tokens = path, context_tokens
        self.threads = threads or os.cpu_count() or 1
        self._llm = None
        self._formatter = None

    def warm_up(self) -> None:
        if self._llm is not None:
            return
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("llama-cpp-python is not installed; run `make setup`") from None
        self.path = self._path() if callable(self._path) else self._path
        try:
            self._llm = Llama(
                model_path=str(self.path),
                n_ctx=self.context_tokens,
                n_threads=self.threads,
                seed=0,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(
                f"llama.cpp cannot load {self.path} ({exc}); "
                "run `footnote models install` or fix generator_model"
            ) from None

    def next_token_probs(self, messages: list[dict[str, str]]) -> np.ndarray:
        """Probabilities (n_vocab,) of the first token of the reply to `messages`."""
        self.warm_up()
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        if self._formatter is None:
            template = self._llm.metadata.get("tokenizer.chat_template", "")
            if not template:
                raise ModelError(f"{self.path} has no chat template; the judge needs one")
            self._formatter = Jinja2ChatFormatter(template, eos_token="", bos_token="")
        prompt = self._formatter(messages=messages).prompt
        tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        self._eval_reusing_prefix(tokens)
        logits = np.ctypeslib.as_array(self._llm._ctx.get_logits(), shape=(self._llm.n_vocab(),))
        probs = np.exp(logits - logits.max())
        return probs / probs.sum()

    def _eval_reusing_prefix(self, tokens: list[int]) -> None:
        """Evaluate `tokens`, keeping the KV cache of the prefix they share with the previous
        evaluation (several judgements of one passage pay for it once)."""
        cached = self._llm._input_ids.tolist()
        same = 0
        for old, new in zip(cached, tokens, strict=False):
            if old != new:
                break
            same += 1
        self._llm.n_tokens = min(same, len(tokens) - 1)  # at least one token: fresh logits
        self._llm.eval(tokens[self._llm.n_tokens :])

    @functools.cache  # noqa: B019 - one instance per model; the cache lives as long as it
    def word_ids(self, words: tuple[str, ...]) -> list[int]:
        """Token ids of the words that are a single token (e.g. the casings of "yes")."""
        self.warm_up()
        ids = {tuple(self._llm.tokenize(w.encode(), add_bos=False, special=False)) for w in words}
        return sorted(t[0] for t in ids if len(t) == 1)

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        self.warm_up()
        chunks = self._llm.create_chat_completion(
            messages=messages,
            max_tokens=max_tokens,
            temperature=0.0,
            top_k=1,
            stream=True,
        )
        try:
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece
        finally:
            chunks.close()  # an abandoned answer stops decoding now

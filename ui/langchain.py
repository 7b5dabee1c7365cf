"""LangChain interop: Footnote's retrieval as a LangChain retriever, and Footnote's verified
answer as a runnable, so a LangChain application adopts Footnote without rewriting itself.
LangChain objects stay at this edge; Footnote's own modules never pass them around."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda
from pydantic import ConfigDict

from rag.retrieval import Filters
from rag.types import Answer, Hit


class FootnoteRetriever(BaseRetriever):
    """The top `k` passages for a query (hybrid search, filters inside it), as LangChain
    Documents with their source, title, section heading, page and score in the metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    pipeline: Any  # rag.answering.pipeline.Pipeline (ui.compose.App.pipeline)
    k: int = 4
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [_document(hit) for hit in self.pipeline.retrieve(query, self.k, self.filters)]


def _document(hit: Hit) -> Document:
    metadata = {
        "source": hit.url or hit.source,
        "title": hit.title,
        "heading": hit.chunk.heading,
        "page": hit.chunk.page_at(0),
        "chunk_id": hit.chunk.id,
        "document_id": hit.chunk.document_id,
        "score": hit.score,
    }
    return Document(page_content=hit.chunk.text, metadata=metadata)


def answer_runnable(pipeline, filters: Filters | None = None) -> RunnableLambda:
    """A runnable from a question (a string, or {"question": ..., "history": [(q, a), ...]})
    to Footnote's verified rag.types.Answer (`rag.serialise.answer_dict` makes it JSON)."""

    def answer(value: str | dict) -> Answer:
        if isinstance(value, str):
            return pipeline.ask(value, filters)
        return pipeline.ask(value["question"], filters, value.get("history") or None)

    return RunnableLambda(answer, name="footnote_answer")

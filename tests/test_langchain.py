"""Footnote inside a LangChain application: real LangChain objects, Footnote's fakes, no network."""

from __future__ import annotations

from conftest import CORPUS
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda, RunnableParallel
from test_ingest import make_ingestor

from rag.retrieval import Filters
from rag.types import ANSWERED, Answer
from ui.langchain import FootnoteRetriever, answer_runnable


def test_the_retriever_works_in_a_langchain_chain(fake_app):
    make_ingestor(fake_app).ingest([str(CORPUS)], collection="help")
    retriever = FootnoteRetriever(pipeline=fake_app.pipeline, k=2)
    docs = retriever.invoke("Error code E42 means that the cooling fan has stopped")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    assert "E42" in docs[0].page_content
    assert docs[0].metadata["heading"].endswith("E42: cooling fan failure")
    chain = retriever | RunnableLambda(lambda ds: "\n".join(d.metadata["title"] for d in ds))
    assert "Lumen X2 error codes" in chain.invoke("error code E42")
    none = FootnoteRetriever(pipeline=fake_app.pipeline, filters=Filters(("elsewhere",)))
    assert none.invoke("error code E42") == []  # filters apply inside the search


def test_the_verified_answer_as_a_runnable(fake_app):
    make_ingestor(fake_app).ingest([str(CORPUS)])
    both = RunnableParallel(
        answer=answer_runnable(fake_app.pipeline),
        passages=FootnoteRetriever(pipeline=fake_app.pipeline, k=1),
    )
    out = both.invoke("What does error code E42 mean for the cooling fan?")
    assert isinstance(out["answer"], Answer) and out["answer"].status == ANSWERED
    assert out["answer"].citations[0].chunk_id == out["passages"][0].metadata["chunk_id"]
    asked = answer_runnable(fake_app.pipeline, Filters(("nowhere",))).invoke(
        {"question": "What does error code E42 mean for the cooling fan?"}
    )
    assert isinstance(asked, Answer) and asked.status != ANSWERED  # its filters apply

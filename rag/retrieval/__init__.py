"""Retrieval: embedding, the vector and lexical indexes (caches of the store), rank fusion,
filters and reranking."""

from rag.retrieval.embedding import Embedder, SentenceTransformerEmbedder
from rag.retrieval.indexer import Indexer
from rag.retrieval.retriever import Filters, Retriever

__all__ = ["Embedder", "Filters", "Indexer", "Retriever", "SentenceTransformerEmbedder"]

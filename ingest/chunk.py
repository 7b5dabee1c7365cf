"""Document -> chunks with character offsets into the document text."""

from __future__ import annotations

from collections import Counter

from rag.types import Chunk, Document, content_hash


def chunk_document(doc: Document, size: int, overlap: int) -> list[Chunk]:
    """Split on paragraphs, then lines, sentences and words, keeping chunks <= `size` chars.

    Each chunk's id hashes the document id, its text and its occurrence number, so unchanged
    passages keep their ids (and embeddings) when the document around them changes.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        keep_separator="end",
    )
    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    cursor = 0
    for piece in splitter.split_text(doc.text):
        start = doc.text.find(piece, cursor)
        if start < 0:  # the splitter strips whitespace; pieces always occur in order
            start = doc.text.find(piece)
        end = start + len(piece)
        seen[piece] += 1
        chunk_id = content_hash(doc.id, piece, str(seen[piece]))
        chunks.append(Chunk(chunk_id, doc.id, piece, start, end))
        cursor = start + 1
    return chunks

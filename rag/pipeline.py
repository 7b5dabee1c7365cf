"""question -> retrieve -> generate -> cite -> verify -> stored Answer, streamed by sentence."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from rag.cite import Numbering, align_quote, complete_sentences, parse_markers
from rag.errors import QuestionError
from rag.generate import Generator, build_messages
from rag.retrieve import Filters, Retriever
from rag.store import Store
from rag.types import ANSWERED, NOT_IN_SOURCES, Answer, Citation, Hit, Sentence
from rag.verify import support

_ABSTAIN = re.compile(
    r"not in (the )?sources|i don'?t know|(sources?|context) (do|does) not (contain|mention|say)"
    r"|no information|not (provided|mentioned) in",
    re.I,
)


@dataclass(frozen=True)
class Limits:
    top_k: int = 3
    min_relevance: float = 0.2
    min_support: float = 0.5
    max_tokens: int = 200
    max_question_chars: int = 2000


class Pipeline:
    """Answers questions from the store with verified, renumbered citations."""

    def __init__(
        self, store: Store, retriever: Retriever, generator: Generator, limits: Limits = Limits()
    ):
        self.store, self.retriever = store, retriever
        self.generator, self.limits = generator, limits

    def retrieve(
        self, question: str, k: int | None = None, filters: Filters | None = None
    ) -> list[Hit]:
        """The top-k passages for a question, best first, with cosine scores."""
        return self.retrieve_many([question], k, filters)[0]

    def retrieve_many(
        self, questions: list[str], k: int | None = None, filters: Filters | None = None
    ) -> list[list[Hit]]:
        """`retrieve` for a batch of questions (one embedding call, batched searches)."""
        return self.retriever.search(questions, k or self.limits.top_k, filters)

    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        """The complete answer (see `stream`)."""
        *_, answer = self.stream(question, filters)
        return answer

    def stream(self, question: str, filters: Filters | None = None) -> Iterator[Sentence | Answer]:
        """Yield each verified sentence as soon as it is complete, then the stored Answer.

        Sentence citation numbers are final when yielded (1..n in order of first use).
        """
        question = self.check_question(question)
        t0 = time.perf_counter()
        hits = self.retrieve(question, filters=filters)
        timings = {"retrieval_s": time.perf_counter() - t0}
        relevant = [h for h in hits if h.score >= self.limits.min_relevance]
        if not relevant:
            yield self._finish(Answer(question, NOT_IN_SOURCES, (), (), tuple(hits), timings), t0)
            return
        state = _Verifier(relevant, self.limits.min_support)
        buffer, t_gen, tokens = "", time.perf_counter(), 0
        for piece in self.generator.stream(
            build_messages(question, relevant), self.limits.max_tokens
        ):
            if tokens == 0:
                t_first = time.perf_counter()
                timings["first_token_s"] = t_first - t0
            tokens += 1
            buffer += piece
            done, buffer = complete_sentences(buffer)
            yield from filter(None, map(state.check, done))
        if buffer.strip():
            kept = state.check(buffer)
            if kept:
                yield kept
        t_end = time.perf_counter()
        gen_s = t_end - t_gen
        if tokens > 1:  # decode speed, after the prompt was read
            timings["decode_tokens_per_s"] = (tokens - 1) / (t_end - t_first)
        timings.update(
            generation_s=gen_s,
            tokens=tokens,
            verify_s=state.seconds,
            dropped_sentences=state.dropped,
        )
        status = ANSWERED if state.sentences else NOT_IN_SOURCES
        citations = state.citations() if state.sentences else ()
        yield self._finish(
            Answer(question, status, tuple(state.sentences), citations, tuple(hits), timings), t0
        )

    def check_question(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise QuestionError('the question is empty; ask something, e.g. footnote ask "..."')
        if len(question) > self.limits.max_question_chars:
            raise QuestionError(
                f"the question is {len(question):,} characters, over the limit of "
                f"{self.limits.max_question_chars:,}; shorten it or raise max_question_chars"
            )
        return question

    def _finish(self, answer: Answer, t0: float) -> Answer:
        answer.timings["total_s"] = time.perf_counter() - t0
        return replace(answer, id=self.store.save_answer(answer))


class _Verifier:
    """Checks each generated sentence against its cited passages and numbers citations."""

    def __init__(self, hits: list[Hit], min_support: float):
        self.hits, self.min_support = hits, min_support
        self.numbering = Numbering()
        self.sentences: list[Sentence] = []
        self.quotes: dict[int, tuple[int, int]] = {}  # source position -> quote span
        self.dropped, self.seconds = 0, 0.0

    def check(self, raw: str) -> Sentence | None:
        """The verified sentence with final citation numbers, or None (dropped/abstention)."""
        t0 = time.perf_counter()
        try:
            return self._check(raw)
        finally:
            self.seconds += time.perf_counter() - t0

    def _check(self, raw: str) -> Sentence | None:
        text, cited = parse_markers(raw)
        if not text or _ABSTAIN.search(text) or not any(ch.isalnum() for ch in text):
            return None
        cited = [n for n in cited if 1 <= n <= len(self.hits)]  # invalid markers are dropped
        scores = {n: support(text, self.hits[n - 1].chunk.text) for n in cited}
        best = max(scores.values(), default=0.0)
        if best < self.min_support:  # missing or wrong citation: find the passage that supports it
            scores = {n: support(text, h.chunk.text) for n, h in enumerate(self.hits, 1)}
            best = max(scores.values())
            cited = [max(scores, key=scores.get)]
        if best < self.min_support:
            self.dropped += 1
            return None
        keep = [n for n in cited if scores[n] >= self.min_support]
        for n in keep:
            self.quotes.setdefault(n, align_quote(text, self.hits[n - 1].chunk.text))
        sentence = Sentence(text, tuple(self.numbering.cite(n) for n in keep), round(best, 3))
        self.sentences.append(sentence)
        return sentence

    def citations(self) -> tuple[Citation, ...]:
        out = []
        for position, number in sorted(self.numbering.numbers.items(), key=lambda kv: kv[1]):
            hit = self.hits[position - 1]
            start, end = self.quotes[position]
            out.append(
                Citation(
                    number,
                    hit.chunk.id,
                    hit.chunk.document_id,
                    hit.title,
                    hit.source,
                    hit.chunk.text,
                    start,
                    end,
                    hit.url,
                )
            )
        return tuple(out)

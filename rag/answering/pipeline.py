"""question -> retrieve -> relevance gate -> generate and verify -> fallback -> stored Answer,
streamed sentence by sentence."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from rag.answering.followups import rewrite
from rag.answering.generators import Generator
from rag.answering.prompt import build_messages
from rag.answering.quotes import asks_how
from rag.answering.scorers import LexicalScorer, SupportScorer
from rag.answering.sentences import complete_sentences
from rag.answering.support import coverage, weighted_coverage
from rag.answering.verifier import Policy, Verifier
from rag.errors import QuestionError
from rag.retrieval.retriever import Filters, Retriever
from rag.retrieval.terms import TermStats
from rag.storage import Store
from rag.types import ANSWERED, NOT_IN_SOURCES, Answer, Hit, Sentence


def relevance(question: str, hit: Hit, terms: TermStats | None = None) -> float:
    """How well a passage matches a question, in [0, 1]: the mean of its cosine to the question
    and the share of the question's words it contains (heading included), each word weighed
    by how specific it is in the corpus (`terms`; equal weights without). Either alone confuses
    a passage on a neighbouring topic with an answer; unweighted, a question about a tool the
    corpus never names passes on its common words (measured: docs/citations.md)."""
    if terms is None:
        cover = coverage(question, hit.chunk.indexed_text)
    else:
        cover = weighted_coverage(terms.weights(question), hit.chunk.indexed_text)
    return round((max(hit.score, 0.0) + cover) / 2, 4)


LEAD_COVERAGE = 0.5  # share of the question's words (by weight) a best-sentence lead holds


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What the pipeline may do (built from the settings by the composition root)."""

    top_k: int  # passages given to the generator
    min_relevance: float  # below it for every passage: "not in the sources"
    min_support: float  # a generated sentence needs it to be shown at all
    max_tokens: int
    max_question_chars: int
    flag_unsupported: bool  # show unsupported sentences flagged instead of dropping them
    quote_fallback: bool  # every generated sentence failed: quote the best passage instead
    quote_below: float  # a sentence supported less is shown in the source's own words
    min_responsive: float  # share of the question's term weight a shown sentence must cover
    section_match: float  # a passage whose heading covers this share answers alone (1: off)
    prompt_chars: int  # characters of each passage the generator reads (0: all)
    lead: str  # what opens the answer before the model writes: none | section | best
    prompt_style: str = "sentence"  # sentence | cited (rag.answering.prompt.INSTRUCTIONS)


class Clock:
    """The timings of one answer, in seconds: measured spans and moments since the start."""

    def __init__(self):
        self.start = time.perf_counter()
        self.timings: dict[str, float] = {}

    def mark(self, name: str) -> float:
        """Record the seconds since the start under `name` (once); return now."""
        now = time.perf_counter()
        self.timings.setdefault(name, now - self.start)
        return now

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - began


@dataclass(frozen=True)
class Gate:
    """The retrieved passages judged against the question."""

    relevance: float  # of the best passage
    passages: list[Hit]  # what the generator sees (clearly unrelated passages left out)
    best: int  # 1-based position of the most relevant passage among `passages`
    weights: dict[str, float]  # the question's words that can name its subject, by specificity
    section: bool = False  # the best passage's section title is the question: it answers alone

    @property
    def open(self) -> bool:
        return bool(self.passages)


class Pipeline:
    """Answers questions from the store with verified, renumbered citations."""

    def __init__(
        self,
        store: Store,
        retriever: Retriever,
        generator: Generator,
        limits: Limits,
        scorer: SupportScorer | None = None,
    ):
        self.store, self.retriever = store, retriever
        self.generator, self.limits = generator, limits
        self.scorer = scorer or LexicalScorer()

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

    def ask(
        self,
        question: str,
        filters: Filters | None = None,
        history: list[tuple[str, str]] | None = None,
    ) -> Answer:
        """The complete answer (see `stream`)."""
        *_, answer = self.stream(question, filters, history)
        return answer

    def stream(
        self,
        question: str,
        filters: Filters | None = None,
        history: list[tuple[str, str]] | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Sentence | Answer]:
        """Yield each verified sentence as soon as it is complete, then the stored Answer.

        Sentence citation numbers are final when yielded (1..n in order of first use). Setting
        `cancel` stops generation at the next token (the answer is then neither finished nor
        stored).
        """
        question = self.check_question(question)
        clock = Clock()
        standalone = question
        if history:
            with clock.measure("rewrite_s"):
                standalone = rewrite(question, history, self.generator)
        with clock.measure("retrieval_s"):
            hits = self.retrieve(standalone, filters=filters)
        gate = self.gate(standalone, hits)
        draft = Answer(question, NOT_IN_SOURCES, (), (), tuple(hits), relevance=gate.relevance)
        draft = replace(draft, standalone=standalone if standalone != question else "")
        if not gate.open:
            yield self._finish(draft, clock)
            return
        verifier = Verifier(gate.passages, self.scorer, self.policy, gate.weights)
        lead = self._lead(standalone, gate, verifier)
        if lead:
            clock.mark("first_sentence_s")
            yield lead
        tokens = yield from self._generate(standalone, verifier, clock, cancel)
        if tokens is None:
            return  # cancelled
        fallback = ""
        failed = verifier.dropped or verifier.off_topic  # the model answered, nothing held up
        if self.limits.quote_fallback and not verifier.supported and failed:
            if gate.section:  # the section answers: its opening, not a sentence like the question
                quote = _section_opening(standalone, gate, verifier)
            else:
                quote = verifier.best_quote(standalone, gate.best)
            if quote:
                fallback = "quote"
                clock.mark("first_sentence_s")
                yield quote
        yield self._finish(self._answer(draft, verifier, tokens, fallback, clock), clock)

    def gate(self, question: str, hits: list[Hit]) -> Gate:
        """Relevance of each passage; no passage at `min_relevance` closes the gate (the answer
        is "not in the sources" without asking the generator). The passages the generator sees:
        the first relevant one whose section's heading holds `section_match` of the question's
        words, alone (after its section's first chunk, when it is not that chunk): documentation
        answers by section, the question is that section's title, even when a neighbouring
        section scores higher ("What is this FAQ?" and "Authors" of the same chapter); else
        all but the clearly unrelated ones."""
        terms = self.retriever.indexer.terms if hits else None
        scores = [relevance(question, h, terms) for h in hits]
        best, least = max(scores, default=0.0), self.limits.min_relevance
        if not hits or best < least:
            return Gate(best, [], 0, {})
        weights = terms.weights(question)
        # in retrieval order: the retriever ranks the question's sections first
        titled = [i for i, h in enumerate(hits) if scores[i] >= least and self._titles(h, weights)]
        top = titled[0] if titled else scores.index(best)
        if titled:
            opening = self.store.section_opening(hits[top])  # the section states its answer first
            passages = [hits[top]] if opening == hits[top] else [opening, hits[top]]
            return Gate(best, passages, 1, weights, section=True)
        floor = least / 2  # clearly unrelated passages stay out of the prompt
        kept = [i for i, score in enumerate(scores) if score >= floor]
        return Gate(best, [hits[i] for i in kept], kept.index(top) + 1, weights)

    def _titles(self, hit: Hit, weights: dict[str, float]) -> bool:
        """Is the passage's section title the question (its heading holds `section_match`)?"""
        section = hit.chunk.heading.rsplit(" > ", 1)[-1]
        match = self.limits.section_match
        return bool(section) and match < 1 and weighted_coverage(weights, section) >= match

    def _lead(self, question: str, gate: Gate, verifier: Verifier) -> Sentence | None:
        """The answer's opening, verbatim from the best passage, shown before the model has
        read its prompt: the section's first sentence when its title is the question, else
        (lead = best) the passage's sentence that best matches the question when it holds
        LEAD_COVERAGE of the question's words and no other sentence holds as many."""
        if self.limits.lead == "none":
            return None
        if gate.section:
            return _section_opening(question, gate, verifier)
        if self.limits.lead == "best":
            return verifier.best_quote(question, gate.best, LEAD_COVERAGE, alone=True)
        return None

    @property
    def policy(self) -> Policy:
        lim = self.limits
        return Policy(lim.min_support, lim.flag_unsupported, lim.quote_below, lim.min_responsive)

    def _generate(
        self, question: str, verifier: Verifier, clock: Clock, cancel: threading.Event | None
    ) -> Iterator[Sentence]:
        """Stream the model's reply through the verifier, sentence by sentence; return the number
        of tokens written (None when cancelled)."""
        buffer, tokens, first = "", 0, 0.0
        began = time.perf_counter()
        lim = self.limits
        messages = build_messages(question, verifier.hits, lim.prompt_chars, lim.prompt_style)
        pieces = self.generator.stream(messages, self.limits.max_tokens)
        for piece in pieces:
            if cancel is not None and cancel.is_set():
                pieces.close()
                return None
            if tokens == 0:
                first = clock.mark("first_token_s")
            tokens += 1
            done, buffer = complete_sentences(buffer + piece)
            for sentence in filter(None, map(verifier.check, done)):
                clock.mark("first_sentence_s")
                yield sentence
        if buffer.strip():
            kept = verifier.check(buffer)
            if kept:
                clock.mark("first_sentence_s")
                yield kept
        end = time.perf_counter()
        clock.timings["generation_s"] = end - began
        if tokens > 1:  # decode speed, after the prompt was read
            clock.timings["decode_tokens_per_s"] = (tokens - 1) / (end - first)
        return tokens

    def _answer(
        self, draft: Answer, verifier: Verifier, tokens: int, fallback: str, clock: Clock
    ) -> Answer:
        clock.timings["verify_s"] = verifier.seconds
        answered = bool(verifier.supported)
        return replace(
            draft,
            status=ANSWERED if answered else NOT_IN_SOURCES,
            sentences=tuple(verifier.sentences),
            citations=verifier.citations() if answered else (),
            fallback=fallback,
            tokens=tokens,
            dropped=verifier.dropped,
            requoted=verifier.requoted,
            off_topic=verifier.off_topic,
            repeated=verifier.repeated,
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

    def _finish(self, answer: Answer, clock: Clock) -> Answer:
        timings = {**clock.timings, "total_s": time.perf_counter() - clock.start}
        answer = replace(answer, timings=timings)
        return replace(answer, id=self.store.answers.save(answer))


def _section_opening(question: str, gate: Gate, verifier: Verifier) -> Sentence | None:
    """The opening of the section whose title is the question (the lead, or the fallback when
    there was none): with the steps that follow it when the question asks how."""
    return verifier.lead_quote(gate.best, steps=asks_how(question))

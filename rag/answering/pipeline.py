"""str -> Question -> hits -> Gate -> Passages -> Plan -> (Claim -> Verdict -> Sentence)* ->
Ledger -> Answer, streamed sentence by sentence. This module only orchestrates the stages; each
rule lives in its stage and every threshold in `rules.AnswerRules`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import partial

from rag.answering.check import Check
from rag.answering.clock import Clock
from rag.answering.followups import rewrite
from rag.answering.gate import gate, most_relevant
from rag.answering.ledger import Ledger
from rag.answering.limits import Limits
from rag.answering.passage import Reader
from rag.answering.plan import Excerpt, plan
from rag.answering.prompt import build_messages
from rag.answering.question import analyse, checked
from rag.answering.scorers import LexicalScorer, SupportScorer
from rag.answering.verdict import STAND_IN
from rag.generation import Generator
from rag.retrieval.retriever import Filters, Retriever
from rag.storage import Store
from rag.text.units import complete_sentences
from rag.types import ANSWERED, NOT_IN_SOURCES, Answer, Hit, Sentence


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
        `cancel` stops generation at the next token (the answer is then not finished nor stored).
        """
        lim, rules = self.limits, self.limits.rules
        text = self.check_question(question)
        clock = Clock()
        standalone = text
        if history:
            with clock.measure("rewrite_s"):
                standalone = rewrite(text, history, self.generator, rules)
        with clock.measure("retrieval_s"):
            depth = max(lim.top_k, rules.lead_depth)  # more when the passages are chosen (pool)
            hits = self.retrieve(standalone, max(depth, rules.pool_depth), filters)
        asked = analyse(standalone, self.retriever.indexer.terms if hits else None)
        cosines = self.retriever.similarity.cosines
        parts = tuple(partial(cosines, part) for part in asked.parts)
        meaning = partial(cosines, standalone)
        read = Reader(rules, meaning, parts, self.store.section_opening, self.store.section_next)
        chosen = most_relevant(asked, read(hits), depth, rules)
        judged = gate(asked, chosen, lim.min_relevance, lim.section_match, rules, read.opening)
        judged = replace(judged, passages=read.read_on(judged.passages, rules.lead_depth))
        closest = tuple(p.hit for p in chosen)
        draft = Answer(text, NOT_IN_SOURCES, (), (), closest, relevance=judged.relevance)
        draft = replace(draft, standalone=standalone if standalone != text else "")
        if not judged.open:
            yield self._finish(draft, clock)
            return
        check = Check(judged.passages, asked, lim.policy, rules, self.scorer, meaning)
        ledger = Ledger()
        chosen = plan(asked, judged, check.passages, lim.lead, lim.quote_fallback, rules)
        for excerpt in chosen.leads:
            yield from self._quote(excerpt, check, ledger, clock)
        tokens = 0
        if chosen.write and not (ledger.supported and rules.on("lead_suffices")):
            tokens = yield from self._generate(standalone, check, ledger, clock, cancel)
        if tokens is None:
            return  # cancelled
        fallback = ""
        failed = ledger.count("dropped") or ledger.count("off_topic")  # nothing held up
        if lim.quote_fallback and not ledger.supported and failed:
            for sentence in self._quote(chosen.fallback, check, ledger, clock):
                fallback = "quote"
                yield sentence
        yield self._finish(self._answer(draft, check, ledger, tokens, fallback), clock)

    def _quote(
        self, excerpt: Excerpt | None, check: Check, ledger: Ledger, clock: Clock
    ) -> list[Sentence]:
        """The planned excerpt as a checked quote (none when it does not hold up)."""
        if excerpt is None:
            return []
        e = excerpt
        with clock.measure("verify_s"):
            verdict = check.quote(e.position, e.start, e.end, ledger, e.rule, steps=e.steps)
            sentence = ledger.record(verdict, check.passages)
        if sentence is None:
            return []
        clock.mark("first_sentence_s")
        return [sentence]

    def _verify(self, raw: str, check: Check, ledger: Ledger, clock: Clock) -> list[Sentence]:
        """A generated sentence through the check: what to show of it (its own words, the
        passage's words standing in, or nothing)."""
        with clock.measure("verify_s"):
            verdict = check.claim(raw, ledger)
            verdicts = check.stand_in(verdict, ledger) if verdict.action == STAND_IN else [verdict]
            shown = [ledger.record(v, check.passages) for v in verdicts]
        sentences = [s for s in shown if s is not None]
        if sentences:
            clock.mark("first_sentence_s")
        return sentences

    def _generate(
        self, question: str, check: Check, ledger: Ledger, clock: Clock, cancel
    ) -> Iterator[Sentence]:
        """Stream the model's reply through the check, sentence by sentence; return the number
        of tokens written (None when cancelled)."""
        buffer, tokens, first = "", 0, 0.0
        began = time.perf_counter()
        lim = self.limits
        hits = [p.hit for p in check.passages[: lim.top_k]]  # the leads may come from more
        messages = build_messages(question, hits, lim.prompt_chars, lim.prompt_style)
        pieces = self.generator.stream(messages, lim.max_tokens)
        for piece in pieces:
            if cancel is not None and cancel.is_set():
                pieces.close()
                return None
            if tokens == 0:
                first = clock.mark("first_token_s")
            tokens += 1
            done, buffer = complete_sentences(buffer + piece)
            for raw in done:
                yield from self._verify(raw, check, ledger, clock)
        if buffer.strip():
            yield from self._verify(buffer, check, ledger, clock)
        end = time.perf_counter()
        clock.timings["generation_s"] = end - began
        if tokens > 1:  # decode speed, after the prompt was read
            clock.timings["decode_tokens_per_s"] = (tokens - 1) / (end - first)
        return tokens

    def _answer(
        self, draft: Answer, check: Check, ledger: Ledger, tokens: int, fallback: str
    ) -> Answer:
        answered = bool(ledger.supported)
        return replace(
            draft,
            status=ANSWERED if answered else NOT_IN_SOURCES,
            sentences=tuple(ledger.sentences),
            citations=ledger.citations(check.passages) if answered else (),
            fallback=fallback,
            tokens=tokens,
            **{n: ledger.count(n) for n in ("dropped", "requoted", "off_topic", "repeated")},
            decisions=tuple(v.decision for v in ledger.verdicts),
        )

    def check_question(self, question: str) -> str:
        """The question stripped; QuestionError when it is empty or too long."""
        return checked(question, self.limits.max_question_chars)

    def _finish(self, answer: Answer, clock: Clock) -> Answer:
        answer = replace(answer, timings=clock.total())
        return replace(answer, id=self.store.answers.save(answer))

"""The answer pipeline on fakes: verification, renumbering, abstention, storage, bad questions."""

import pytest
from conftest import CORPUS, app_on_fakes

from rag.errors import QuestionError
from rag.fakes import ScriptedGenerator
from rag.serialise import answer_dict
from rag.types import ANSWERED, NOT_IN_SOURCES, Answer, Sentence


def app_with(settings, reply):
    return app_on_fakes(settings, reply, [CORPUS])


def test_sentences_are_cited_renumbered_and_stored(settings):
    # the model cites passage numbers; the fan passage and refund passage land at positions
    # that depend on retrieval, so the reply cites them by looking at the prompt
    def reply(messages):
        user = messages[-1]["content"]
        passages = [p for p in user.split("\n\n") if p.startswith("Passage")]
        fan = next(i for i, p in enumerate(passages, 1) if "E42" in p)
        other = next(i for i, p in enumerate(passages, 1) if "fan" not in p)  # unrelated
        return (
            f"Error code E42 means that the cooling fan has stopped [{fan}]. "
            f"The fan must be replaced under warranty [{fan}][{other}]. "
            "Bananas are the best fruit in the world [9]."
        )

    app = app_with(settings, reply)
    streamed = list(app.pipeline.stream("What does error E42 mean for the cooling fan?"))
    sentences, answer = streamed[:-1], streamed[-1]
    assert all(isinstance(s, Sentence) for s in sentences) and isinstance(answer, Answer)
    assert answer.status == ANSWERED
    assert [s.citations for s in answer.sentences] == [(1,), (1,)]  # unsupported [other] dropped
    assert len(answer.citations) == 1 and answer.citations[0].number == 1
    assert "E42" in answer.citations[0].quote
    assert "Bananas" not in answer.text  # unsupported sentence never shown
    assert answer.dropped == 1
    stored = app.store.answers.load(answer.id)
    assert stored.status == ANSWERED and stored.citations[0].quote_start >= 0
    data = answer_dict(answer)
    assert data["sources"][0]["number"] == 1 and data["sentences"][0]["citations"] == [1]


def test_uncited_sentence_gets_the_passage_that_supports_it(settings):
    app = app_with(settings, "Refunds are paid back within 5 business days.")
    answer = app.pipeline.ask("How fast are refunds paid?")
    assert answer.status == ANSWERED and answer.sentences[0].citations == (1,)
    assert "5 business days" in answer.citations[0].quote


@pytest.mark.parametrize("reply", ["I don't know.", "The capital of Australia is Canberra."])
def test_unsupported_or_declined_answers_become_not_in_sources(settings, reply):
    app = app_with(settings, reply)
    answer = app.pipeline.ask("What is the capital of Australia and Lumen?")
    assert answer.status == NOT_IN_SOURCES and not answer.citations and answer.closest
    assert app.store.answers.load(answer.id).status == NOT_IN_SOURCES


def test_irrelevant_question_skips_the_generator(settings):
    app = app_with(settings, "Should never be called.")
    answer = app.pipeline.ask("zebra quantum pineapple")
    assert answer.status == NOT_IN_SOURCES and app.generator.calls == []


def test_a_neighbouring_topic_is_not_relevant_enough_to_answer(settings):
    """The best passage shares the question's topic words but not what it asks about: below
    min_relevance the generator is not asked, and the relevance is recorded."""
    app = app_with(settings, "Should never be called.")
    answer = app.pipeline.ask("Which football club did the Lumen cafe sponsor in 1954?")
    assert answer.status == NOT_IN_SOURCES and app.generator.calls == []
    assert answer.relevance < app.pipeline.limits.min_relevance
    on_topic = app.pipeline.ask("When is the Lumen cafe open on weekdays?")
    assert on_topic.relevance >= app.pipeline.limits.min_relevance


def test_relevance_combines_cosine_closeness_and_question_coverage(settings):
    from rag.answering.gate import relevance
    from rag.answering.passage import passage
    from rag.answering.question import analyse
    from rag.answering.rules import AnswerRules

    app = app_with(settings, "unused")
    question = "What does error code E42 mean?"
    (hit,) = app.pipeline.retrieve(question, k=1)
    terms, words = app.retriever.indexer.terms, AnswerRules(cosine_weight=0.5, meaning_weight=0)
    found = passage(hit, 1, words)
    assert relevance(analyse(question, terms), found, words) > hit.score / 2
    unrelated = analyse("zebra pineapple quantum", terms)
    assert relevance(unrelated, found, words) == round(max(hit.score, 0) / 2, 4)
    # with a closest sentence: its cosine counts too (here a made-up 0.9 for every unit)
    mixed = AnswerRules(cosine_weight=0.4, meaning_weight=0.4)
    close = passage(hit, 1, mixed, meaning=lambda texts: [0.9] * len(texts))
    assert relevance(unrelated, close, mixed) == round(0.4 * max(hit.score, 0) + 0.4 * 0.9, 4)


def test_empty_store_declines(fake_app):
    assert fake_app.pipeline.ask("Anything at all?").status == NOT_IN_SOURCES


@pytest.mark.parametrize(
    ("question", "message"), [("   ", "empty"), ("x" * 3000, "over the limit")]
)
def test_bad_questions(fake_app, question, message):
    with pytest.raises(QuestionError, match=message):
        fake_app.pipeline.ask(question)


def test_sources_are_delimited_as_data(settings):
    app = app_with(settings, "Error code E42 means that the cooling fan has stopped.")
    app.pipeline.ask("What does error code E42 mean for the cooling fan?")
    system, user = app.generator.calls[0]
    assert "not instructions" in system["content"]
    passages = [line for line in user["content"].split("\n\n") if line.startswith("Passage")]
    assert passages and all("\n" not in p for p in passages)  # a document cannot fake structure


def test_follow_up_is_rewritten_before_retrieval(settings):
    def reply(messages):
        if "rewrite" in messages[0]["content"]:
            return "How do I fix error code E17 on the Lumen X2 router?"
        return "Hold the reset button for ten seconds to restore the previous firmware."

    app = app_with(settings, reply)
    history = [("What does error code E17 mean?", "A firmware update was interrupted. [1]")]
    answer = app.pipeline.ask("And how do I fix that?", history=history)
    assert answer.standalone == "How do I fix error code E17 on the Lumen X2 router?"
    assert answer.status == ANSWERED and "ten seconds" in answer.citations[0].quote
    assert "E17" in app.generator.calls[-1][-1]["content"]  # the rewrite reached the prompt


def test_unusable_rewrite_falls_back_to_the_previous_question(settings):
    from rag.answering.followups import rewrite

    generator = ScriptedGenerator("Bananas!")
    history = [("What does error code E17 mean?", "...")]
    assert (
        rewrite("how to fix it", history, generator)
        == "What does error code E17 mean? how to fix it"
    )
    unused = ScriptedGenerator("never")
    assert rewrite("what is E42?", [], unused) == "what is E42?" and unused.calls == []

"""Ask: a chat with streamed, verified answers and the evidence behind every citation."""

import streamlit as st

from rag.errors import FootnoteError
from rag.retrieval import Filters
from rag.serialise import answer_dict, sentence_dict
from rag.types import Answer, Sentence
from ui.web import state
from ui.web.view import (
    CSS,
    answer_html,
    passage_html,
    sentence_html,
    source_label,
    source_link,
)

app = state.app()
st.session_state.setdefault("turns", [])

with st.sidebar:
    collections = list(app.store.collections.counts())
    chosen = st.multiselect(
        "Collections", collections, default=collections, help="search only these"
    )
    if st.button("New conversation", icon="🔄", use_container_width=True):
        st.session_state.turns = []
        st.rerun()

st.title("Ask your documents")
st.caption("Every sentence is checked against the passage it cites before it is shown.")
st.markdown(CSS, unsafe_allow_html=True)


def show_feedback(answer: dict, index: int) -> None:
    turn = st.session_state.turns[index]
    if turn.get("feedback"):
        st.caption(f"Feedback sent: {turn['feedback']}. Thank you.")
        return
    rating = st.feedback("thumbs", key=f"rating-{answer['id']}")
    if rating is not None:
        comment = st.text_input("Comment (optional)", key=f"comment-{answer['id']}", max_chars=2000)
        if st.button("Send feedback", key=f"send-{answer['id']}"):
            app.store.feedback.add(answer["id"], 1 if rating == 1 else -1, comment, "app")
            turn["feedback"] = "👍" if rating == 1 else "👎"
            st.rerun()


def show_answer(answer: dict, index: int) -> None:
    st.markdown(answer_html(answer), unsafe_allow_html=True)  # text escaped in ui.web.view
    if answer["status"] == "answered":
        for source in answer["sources"]:
            with st.expander(source_label(source), expanded=source["number"] == 1):
                where = source.get("url") or source["source"]
                page = f"  ·  page {source['page']}" if source.get("page") else ""
                st.text(where + page + (f"  ·  {source['date']}" if source.get("date") else ""))
                if where.startswith(("http://", "https://")):
                    st.link_button("Open the source", source_link(source))
                html = passage_html(source["passage"], source["quote_start"], source["quote_end"])
                st.markdown(html, unsafe_allow_html=True)
    elif answer["closest"]:
        st.caption("Closest sources (not enough to answer):")
        for hit in answer["closest"]:
            st.text(f"• {hit['title'] or hit['source']}  ({hit['source']})")
    else:
        st.caption("Nothing relevant is ingested yet: add sources on the Sources page.")
    show_feedback(answer, index)


for i, turn in enumerate(st.session_state.turns):
    with st.chat_message("user"):
        st.text(turn["question"])
    with st.chat_message("assistant"):
        show_answer(turn["answer"], i)

question = st.chat_input("Ask a question about your documents")
if question is not None:
    with st.chat_message("user"):
        st.text(question[:2000] + ("…" if len(question) > 2000 else ""))
    with st.chat_message("assistant"):
        placeholder = st.empty()
        placeholder.caption("Searching the sources…")
        shown: list[str] = []
        turns = [(t["question"], t["answer"]["answer"]) for t in st.session_state.turns]
        try:
            answer = None
            if collections and not chosen:
                raise FootnoteError("choose at least one collection in the sidebar")
            where = Filters(tuple(chosen)) if chosen != collections else None
            for item in app.pipeline.stream(question, where, turns[-3:]):
                if isinstance(item, Sentence):
                    shown.append(sentence_html(sentence_dict(item)))
                    placeholder.markdown("<p>" + "".join(shown) + "</p>", unsafe_allow_html=True)
                elif isinstance(item, Answer):
                    answer = answer_dict(item)
        except FootnoteError as exc:
            placeholder.error(str(exc))
        else:
            st.session_state.turns.append({"question": question, "answer": answer})
            st.rerun()

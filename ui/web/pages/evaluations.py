"""Evaluations: stored runs with the same content as the HTML report, and user feedback."""

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from evals.report import html_report
from evals.runs import RunStore
from ui.web import state

app = state.app()
runs = RunStore(app.store)

st.title("Evaluations")
listed = runs.list()
if not listed:
    st.info("No evaluation runs yet: `footnote eval answers DATASET` or `footnote eval retrieval`.")
else:
    labels = {
        r["id"]: f"{r['id']} · {r['kind']} · {r['dataset']}"
        + ("" if r["finished_at"] else " (interrupted)")
        for r in listed
    }
    run_id = st.selectbox("Run", list(labels), format_func=labels.get)
    meta = runs.get(run_id)
    metrics = meta.get("metrics") or {}
    if metrics:
        rows = [
            {"metric": name, "value": m["value"], "95% low": m["low"], "95% high": m["high"]}
            for name, m in metrics.items()
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
    # the HTML report itself, in a sandboxed frame (question texts are escaped by the report)
    components.html(html_report([(meta, runs.results(run_id))]), height=900, scrolling=True)

st.subheader("Feedback on answers")
summary = app.store.feedback.summary()
c1, c2 = st.columns(2)
c1.metric("👍", summary["up"])
c2.metric("👎", summary["down"])
for row in summary["comments"]:
    st.text(f"{'👍' if row['rating'] > 0 else '👎'} {row['comment']}  (answer {row['answer_id']})")

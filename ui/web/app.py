"""The Footnote web app: `footnote ui` (streamlit run ui/web/app.py)."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent

st.set_page_config(page_title="Footnote", page_icon="📎", layout="wide")
pages = [
    st.Page(HERE / "pages" / "ask.py", title="Ask", icon="💬", default=True),
    st.Page(HERE / "pages" / "sources.py", title="Sources", icon="📚"),
    st.Page(HERE / "pages" / "evaluations.py", title="Evaluations", icon="📊"),
]
st.navigation(pages).run()

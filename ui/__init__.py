"""Footnote's user interfaces: the Streamlit app and the support-bot HTTP API (to come)."""

__all__: list[str] = []

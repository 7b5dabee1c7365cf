"""Footnote's interfaces: the command line, the composition root (`ui.compose`), the Streamlit
web app (`ui.web`) and the support-bot HTTP API (`ui.api`)."""

__all__: list[str] = []

"""The support-bot HTTP API (FastAPI): `create_api` in `ui.api.app`, one router per concern."""

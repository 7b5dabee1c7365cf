"""What the web app's pages share within one server process: the App and the job runner."""

from __future__ import annotations

import json
import os
import threading

from rag.compose import App
from rag.config import load_settings

_lock = threading.Lock()
_app: App | None = None
_jobs = None


def use(app: App) -> None:
    """Serve this App (tests inject one built on fakes); resets the job runner."""
    global _app, _jobs
    with _lock:
        _app, _jobs = app, None


def app() -> App:
    """The process's App: settings from the usual layers plus the `footnote ui` flags."""
    global _app
    with _lock:
        if _app is None:
            overrides = json.loads(os.environ.get("FOOTNOTE_UI_OVERRIDES", "{}"))
            _app = App(load_settings(overrides)[0])
        return _app


def jobs():
    """The background ingestion jobs of this process (ui.jobs.Jobs)."""
    global _jobs
    from ui.jobs import Jobs

    current = app()
    with _lock:
        if _jobs is None or _jobs.app is not current:
            _jobs = Jobs(current)
        return _jobs

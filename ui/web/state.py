"""What the web app's pages share within one server process: the App (its job runner too)."""

from __future__ import annotations

import json
import os
import threading

from ui.compose import App

_lock = threading.Lock()
_app: App | None = None


def use(app: App) -> None:
    """Serve this App (tests inject one built on fakes)."""
    global _app
    with _lock:
        _app = app


def app() -> App:
    """The process's App: settings from the usual layers plus the `footnote ui` flags."""
    global _app
    with _lock:
        if _app is None:
            _app = App.from_overrides(json.loads(os.environ.get("FOOTNOTE_UI_OVERRIDES", "{}")))
        return _app

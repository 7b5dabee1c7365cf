"""The composition root: the only place that reads Settings and turns them into objects (`App`
in app.py; the generator and judge backends in backends.py)."""

from ui.compose.app import App, settings_report

__all__ = ["App", "settings_report"]

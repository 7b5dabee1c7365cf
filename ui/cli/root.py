"""The `footnote` command group: one `--setting` flag per setting, errors as one line, and the
App (the composition root) that the subcommands use."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import ModuleType

import click

from rag.errors import FootnoteError
from rag.settings import FIELDS, describe


class _Group(click.Group):
    """Turns FootnoteError into a one-line message and exit code 1. Subcommands registered
    with `lazy` (name -> (a function importing their module, the command's name in it)) are
    imported when used (or listed), so `footnote ask` does not pay for the evaluation or
    ingestion modules at start-up."""

    lazy: dict[str, tuple[Callable[[], ModuleType], str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            load, attribute = self.lazy[name]
            self.add_command(getattr(load(), attribute), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FootnoteError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


def _setting_options(func):
    """One `--field-name` option per setting (the CLI layer of the settings)."""
    for name, f in reversed(FIELDS.items()):
        func = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=type(f.default),
            default=None,
            help=describe(name),
            show_default=False,
        )(func)
    return func


@click.group(cls=_Group)
@_setting_options
@click.option("-v", "--verbose", is_flag=True, help="log progress details")
@click.pass_context
def main(ctx: click.Context, verbose: bool, **overrides) -> None:
    """Footnote: answers from your documents, every sentence checked against its source."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"overrides": overrides}


def overrides_of(ctx: click.Context) -> dict:
    """The settings given as flags before the subcommand."""
    return ctx.find_root().obj["overrides"]


def app_of(ctx: click.Context):
    """The App for the settings in effect (built once per command)."""
    from ui.compose import App

    root = ctx.find_root().obj
    if "app" not in root:
        root["app"] = App.from_overrides(root["overrides"])
    return root["app"]

"""The `footnote` command group: a few global options, commands listed by section, errors as
one line with documented exit codes, and the App (the composition root) the commands use.

Settings come from `-s KEY=VALUE`, the options of the command that uses them (`ask --top-k`),
`footnote config set`, the environment or the config file. The old spelling, one global flag per
setting before the command (`footnote --top-k 5 ask ...`), still works but is not listed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Any

import click

from rag.errors import FootnoteError
from rag.settings import FIELDS, describe
from ui.cli.feedback import setup_logging
from ui.cli.options import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NOT_IN_SOURCES,
    SettingAssignment,
    examples,
)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass(frozen=True)
class Lazy:
    """A subcommand imported only when used: its section in the help, a function importing
    its module, the command's name in it, and the one line the root help shows."""

    section: str
    load: Callable[[], ModuleType]
    attribute: str
    summary: str


@dataclass
class Root:
    """What the global options decided, shared by every subcommand."""

    overrides: dict[str, Any] = field(default_factory=dict)  # -s and the old global flags
    command_settings: dict[str, Any] = field(default_factory=dict)  # the command's own options
    config_file: str | None = None
    verbosity: int = 0  # -v count; -1 = quiet
    app: Any = None

    @property
    def settings(self) -> dict[str, Any]:
        return {**self.overrides, **self.command_settings}


class Group(click.Group):
    """Lists lazy subcommands by section without importing them, and turns a FootnoteError into
    one line on stderr with exit code 1 (2 for usage, 3 for "not in the sources", 130 for
    Ctrl-C)."""

    lazy: dict[str, Lazy] = {}
    sections: tuple[str, ...] = ()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            entry = self.lazy[name]
            self.add_command(getattr(entry.load(), entry.attribute), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        width = max(map(len, self.lazy))  # one column for every section
        for section in self.sections:
            rows = [
                (n.ljust(width), e.summary) for n, e in self.lazy.items() if e.section == section
            ]
            with formatter.section(section):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FootnoteError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)


def _version() -> str:
    try:
        return metadata.version("footnote")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _legacy_setting_options(func):
    """The old global flags, one per setting (`footnote --top-k 5 ask`): accepted, not listed."""
    for name, f in reversed(FIELDS.items()):
        if name == "home":
            continue  # --home is a listed global option
        func = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=type(f.default),
            default=None,
            help=describe(name),
            hidden=True,
        )(func)
    return func


EPILOG = (
    "\b\n"
    f"Exit codes: 0 done (ask: answered), {EXIT_NOT_IN_SOURCES} not in the sources (ask), "
    "1 error, 2 usage.\n"
    "`footnote COMMAND -h` shows a command's options and examples; `footnote config show`\n"
    "lists every setting."
)


@click.group(cls=Group, context_settings=CONTEXT, epilog=EPILOG)
@click.version_option(_version(), "--version", prog_name="footnote", message="%(prog)s %(version)s")
@click.option(
    "--home",
    metavar="DIR",
    help="home folder: database, index, config.toml [~/.footnote]",
)
@click.option(
    "-c",
    "--config",
    "config_file",
    metavar="FILE",
    help="settings file [HOME/config.toml]",
)
@click.option(
    "-s",
    "--set",
    "assignments",
    type=SettingAssignment(),
    multiple=True,
    help="a setting for this run (repeatable)",
)
@click.option("-v", "--verbose", count=True, help="show Footnote's decisions (-vv: debug)")
@click.option("-q", "--quiet", is_flag=True, help="no progress or status lines")
@_legacy_setting_options
@click.pass_context
def main(
    ctx: click.Context,
    home: str | None,
    config_file: str | None,
    assignments: tuple[tuple[str, Any], ...],
    verbose: int,
    quiet: bool,
    **legacy,
) -> None:
    """Answers from your documents, every sentence checked against its source."""
    overrides = {k: v for k, v in legacy.items() if v is not None}
    if home is not None:
        overrides["home"] = home
    overrides.update(assignments)
    ctx.obj = Root(overrides, config_file=config_file, verbosity=-1 if quiet else verbose)
    setup_logging(ctx.obj.verbosity)


def root_of(ctx: click.Context) -> Root:
    return ctx.find_root().obj


def overrides_of(ctx: click.Context) -> dict:
    """The settings given on the command line (global and the command's own options)."""
    return root_of(ctx).settings


def config_file_of(ctx: click.Context) -> str | None:
    """The settings file named by -c, if any."""
    return root_of(ctx).config_file


def app_of(ctx: click.Context):
    """The App for the settings in effect (built once per command)."""
    from ui.compose import App

    root = root_of(ctx)
    if root.app is None:
        root.app = App.from_overrides(root.settings, config_file=root.config_file)
    return root.app


__all__ = ["Group", "Lazy", "app_of", "config_file_of", "examples", "main", "overrides_of"]

"""The command line's option types: settings as per-command options (`ask --top-k 5`) and as
`-s KEY=VALUE`, dates, and the examples that end every command's help. Parsing is strict: a bad
number, boolean, choice or date is a usage error (exit 2) that names the option and the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from rag.dates import iso_date
from rag.errors import ConfigError
from rag.settings import FIELDS, closest, coerce, describe
from rag.settings_rules import CHOICES, check

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_NOT_IN_SOURCES, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def examples(*lines: str) -> str:
    """A help epilog: "Examples:" and the given command lines, kept as written."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def setting_value(name: str, value: Any, origin: str) -> Any:
    """`value` parsed as setting `name` and checked against its range; ConfigError if not."""
    parsed = coerce(name, value, origin)
    check(name, parsed)
    return parsed


class SettingAssignment(click.ParamType):
    """KEY=VALUE for a setting: `-s top_k=5`, `-s allow-private-networks=true`."""

    name = "KEY=VALUE"

    def convert(self, value, param, ctx) -> tuple[str, Any]:
        if isinstance(value, tuple):
            return value
        key, sep, text = value.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or not key:
            self.fail(f"{value!r} is not KEY=VALUE (e.g. -s top_k=5)", param, ctx)
        if key not in FIELDS:
            self.fail(f"unknown setting {key!r}{closest(key)}", param, ctx)
        try:
            return key, setting_value(key, text.strip(), f"-s {key}")
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


class IsoDate(click.ParamType):
    """A calendar date: YYYY-MM-DD, or YYYY-MM / YYYY for the whole month or year."""

    name = "DATE"

    def convert(self, value, param, ctx) -> str:
        if not value:
            return ""
        try:
            return iso_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def store_setting(name: str) -> Callable:
    """A click callback that records an option's value as the setting `name` (command-line
    layer of the settings), after the checks of that setting."""

    def store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None:
            return
        try:
            value = setting_value(name, value, param.get_error_hint(ctx))
        except ConfigError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
        ctx.find_root().obj.command_settings[name] = value

    return store


def setting_option(name: str, *short: str, help: str = "") -> Callable:
    """A command option that sets one setting for this run: `--top-k N` for top_k, `--flag /
    --no-flag` for a boolean, a choice list for a setting with choices."""
    flag = "--" + name.replace("_", "-")
    kind = type(FIELDS[name].default)
    text = f"{help or describe(name)} [setting {name}]"
    options: dict[str, Any] = {"default": None, "expose_value": False, "help": text}
    if kind is bool:
        decls = (*short, f"{flag}/--no-{flag[2:]}")
    else:
        decls = (*short, flag)
        options["type"] = (
            click.Choice(CHOICES[name]) if name in CHOICES else {int: click.INT}.get(kind, kind)
        )
        options["metavar"] = None if name in CHOICES else {int: "N", float: "X"}.get(kind, "TEXT")
    return click.option(*decls, callback=store_setting(name), **options)

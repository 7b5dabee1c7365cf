"""The `footnote` command's plumbing, without loading models."""

from click.testing import CliRunner

from ui.cli import main


def invoke(tmp_path, *args, env=None):
    environ = {"FOOTNOTE_HOME": str(tmp_path / "home"), "FOOTNOTE_CONFIG": "", **(env or {})}
    return CliRunner().invoke(main, list(args), env=environ)


def test_config_shows_values_and_origins(tmp_path):
    result = invoke(tmp_path, "--top-k", "6", "config", env={"FOOTNOTE_MAX_TOKENS": "99"})
    assert result.exit_code == 0
    assert "top_k = 6  [cli]" in result.output
    assert "max_tokens = 99  [env FOOTNOTE_MAX_TOKENS]" in result.output
    assert "chunk_size = 800  [default]" in result.output
    assert "passages given to the generator" in result.output


def test_ingest_exits_non_zero_only_when_nothing_was_ingested(tmp_path):
    result = invoke(tmp_path, "ingest", str(tmp_path / "missing.md"))
    assert result.exit_code == 1
    assert "failed 1" in result.output and "does not exist" in result.output


def test_invalid_setting_is_a_one_line_error(tmp_path):
    result = invoke(tmp_path, "config", env={"FOOTNOTE_TOP_K": "lots"})
    assert result.exit_code == 1
    assert "FOOTNOTE_TOP_K" in result.output and "Traceback" not in result.output


def test_help_loads_no_models(tmp_path):
    result = invoke(tmp_path, "--help")
    assert result.exit_code == 0 and "ingest" in result.output and "ask" in result.output

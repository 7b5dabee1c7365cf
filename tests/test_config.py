import pytest

from rag.errors import ConfigError
from rag.settings import FIELDS, Settings, describe, load_settings


def test_every_setting_has_a_default_and_description():
    for name in FIELDS:
        assert describe(name)
    assert Settings().top_k == FIELDS["top_k"].default


def test_layers_apply_in_order_and_report_their_origin(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("top_k = 7\nchunk_size = 500\nmin_relevance = 0.3\n")
    environ = {
        "FOOTNOTE_CONFIG": str(config),
        "FOOTNOTE_CHUNK_SIZE": "600",
        "FOOTNOTE_MIN_RELEVANCE": "0.4",
    }
    settings, origins = load_settings({"min_relevance": 0.5}, environ)
    assert (settings.top_k, settings.chunk_size, settings.min_relevance) == (7, 600, 0.5)
    assert origins["top_k"].startswith("file")
    assert origins["chunk_size"] == "env FOOTNOTE_CHUNK_SIZE"
    assert origins["min_relevance"] == "cli"
    assert origins["max_tokens"] == "default"


def test_home_sets_database_and_index_locations(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings, _ = load_settings(environ={"FOOTNOTE_HOME": str(tmp_path)})
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'footnote.db'}"
    assert settings.index_path == tmp_path / "index"
    # models live in one per-user cache that every home shares
    assert settings.models_path == tmp_path / "cache" / "footnote" / "models"
    other, _ = load_settings(environ={"FOOTNOTE_HOME": str(tmp_path / "other")})
    assert other.models_path == settings.models_path
    mine, _ = load_settings(environ={"FOOTNOTE_MODELS_DIR": str(tmp_path / "mine")})
    assert mine.models_path == tmp_path / "mine"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"FOOTNOTE_TOP_K": "many"}, "FOOTNOTE_TOP_K"),
        ({"FOOTNOTE_TOP_K": "0"}, "top_k=0 must be positive"),
        ({"FOOTNOTE_CHUNK_OVERLAP": "900"}, "chunk_overlap=900"),
        ({"FOOTNOTE_MIN_SUPPORT": "2"}, "between 0 and 1"),
    ],
)
def test_invalid_values_name_the_setting(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={"FOOTNOTE_HOME": str(tmp_path), **environ})


def test_bad_config_file_is_reported(tmp_path):
    (tmp_path / "config.toml").write_text("top_k = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(environ={"FOOTNOTE_HOME": str(tmp_path)})
    (tmp_path / "config.toml").write_text("topk = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'topk'; did you mean top_k\\?"):
        load_settings(environ={"FOOTNOTE_HOME": str(tmp_path)})


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"FOOTNOTE_ALLOW_PRIVATE_NETWORKS": "ture"}, "allow_private_networks='ture'.*boolean"),
        ({"FOOTNOTE_TOP_K": "3.5"}, "top_k='3.5'.*whole number"),
        ({"FOOTNOTE_MIN_SUPPORT": "half"}, "min_support='half'.*number"),
    ],
)
def test_values_are_parsed_strictly(tmp_path, environ, message):
    """A misspelt boolean used to become false, and 3.5 passed as an int nowhere else."""
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={"FOOTNOTE_HOME": str(tmp_path), **environ})


def test_booleans_accept_the_usual_spellings(tmp_path):
    for text, value in (("1", True), ("Yes", True), ("on", True), ("0", False), ("off", False)):
        environ = {"FOOTNOTE_HOME": str(tmp_path), "FOOTNOTE_ALLOW_PRIVATE_NETWORKS": text}
        assert load_settings(environ=environ)[0].allow_private_networks is value
    (tmp_path / "config.toml").write_text("allow_private_networks = true\ntop_k = 4.5\n")
    with pytest.raises(ConfigError, match="top_k=4.5"):  # a TOML float is no integer either
        load_settings(environ={"FOOTNOTE_HOME": str(tmp_path)})


def test_the_home_given_on_the_command_line_reads_its_config_file(tmp_path):
    """`--home X` (a CLI setting) used to read the config.toml of FOOTNOTE_HOME instead."""
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "config.toml").write_text("top_k = 9\n")
    environ = {"FOOTNOTE_HOME": str(tmp_path / "other")}
    settings, origins = load_settings({"home": str(tmp_path / "x")}, environ)
    assert settings.top_k == 9 and origins["top_k"] == f"file {tmp_path / 'x' / 'config.toml'}"
    named = tmp_path / "named.toml"
    named.write_text("top_k = 2\n")
    assert load_settings({"home": str(tmp_path / "x")}, environ, str(named))[0].top_k == 2

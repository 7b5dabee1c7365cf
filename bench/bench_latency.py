"""Answer latency with warm models: the time to the first verified sentence and to the whole
answer, for the prompt of before (three whole passages, no section gate) and for the defaults,
question by question in the same process so both see the same machine; then `footnote ask`
through a warm `footnote serve` against loading the models in-process.

Quality rides along so that faster cannot hide worse: contains-gold on SQuAD, and on the
Debian FAQ (the support dev set) the share of covered questions answered with a citation of
the gold page and the share of uncovered ones declined. Correctness itself needs the judge:
`footnote eval answers` + `footnote eval correctness` (docs/benchmarks.md).

    python bench/bench_latency.py     # BENCH_LATENCY_QUESTIONS per set (default 30)

With BENCH_LATENCY_VS=openai the defaults are compared instead with the same settings answered
by the OpenAI-compatible server that FOOTNOTE_OPENAI_BASE_URL and FOOTNOTE_OPENAI_MODEL name (for
example the packaged 1.5B on llama.cpp's server), with its own prompt style (`auto`).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import wait_ready

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("FOOTNOTE_DATA", ROOT.parent / "shared" / "data"))
N = int(os.environ.get("BENCH_LATENCY_QUESTIONS", "30"))
FOOTNOTE = [sys.executable, "-m", "ui"]
# the prompt before the speed work: three whole passages whatever they hold
BEFORE = {"prompt_chars": 0, "section_match": 1.0, "lead": "none"}
VS = os.environ.get("BENCH_LATENCY_VS", "before")  # before | openai


def squad_set(corpus: Path) -> list[dict]:
    """Three SQuAD articles as one file per paragraph; N questions spread over them."""
    squad = json.loads((DATA / "squad-v1.1" / "dev-v1.1.part.json").read_text())
    corpus.mkdir(parents=True)
    rows = []
    for article in squad["data"][:3]:
        for i, para in enumerate(article["paragraphs"]):
            (corpus / f"{article['title']}_{i}.txt").write_text(para["context"])
            for qa in para["qas"][:1]:
                rows.append(
                    {"question": qa["question"], "answers": [a["text"] for a in qa["answers"]]}
                )
    return random.Random(0).sample(rows, min(N, len(rows)))


def debian_set(out: Path) -> list[dict]:
    """Covered FAQ questions (gold page known) and a fifth as many uncovered ones."""
    from evals.faq import import_faq

    faq = DATA / "debian-faq"
    uncovered = ROOT / "evals" / "datasets" / "debian-faq-uncovered.jsonl"
    import_faq(faq / "html", out, faq / "questions.jsonl", uncovered)
    rows = [json.loads(line) for line in (out / "dataset.jsonl").read_text().splitlines()]
    rng = random.Random(0)
    covered = rng.sample([r for r in rows if r["answerable"]], N)
    others = rng.sample([r for r in rows if not r["answerable"]], max(1, N // 5))
    return covered + others


def ingest(home: Path, source: Path) -> dict:
    env = {**os.environ, "FOOTNOTE_HOME": str(home)}
    subprocess.run([*FOOTNOTE, "ingest", str(source)], env=env, check=True, capture_output=True)
    return env


def pipelines(env: dict) -> dict:
    """The pipeline to compare with (`VS`) and the defaults' (now) of one home, sharing the
    loaded models."""
    from rag.settings import load_settings
    from ui.compose import App

    now = App(load_settings(environ=env)[0])
    if VS == "openai":
        other = App(load_settings({"generator": "openai"}, environ=env)[0], embedder=now.embedder)
    else:
        shared = {"embedder": now.embedder, "generator": now.generator}
        other = App(load_settings(BEFORE, environ=env)[0], **shared)
    now.pipeline.ask("warm up the models")
    other.pipeline.ask("warm up the models")
    return {VS: other.pipeline, "now": now.pipeline}


def quality(row: dict, answer) -> dict:
    from evals.metrics import contains_answer

    declined = answer.status != "answered"
    out = {"answered": not declined}
    if row.get("answers"):
        out["contains_gold"] = bool(contains_answer(answer.text, row["answers"]))
    if row.get("gold_sources"):
        gold = {Path(s).name for s in row["gold_sources"]}
        out["cites_gold_page"] = any(Path(c.source).name in gold for c in answer.citations)
    if not row.get("answerable", True):
        out["declined_uncovered"] = declined
    return out


def run_set(name: str, rows: list[dict], paths: dict) -> None:
    figures: dict[str, list[dict]] = {k: [] for k in paths}
    for row in rows:
        for label, pipeline in paths.items():  # the same question on both, back to back
            answer = pipeline.ask(row["question"])
            t = answer.timings
            figures[label].append(
                {
                    "first_sentence_s": t.get("first_sentence_s", t["total_s"]),
                    "first_token_s": t.get("first_token_s", float("nan")),
                    "total_s": t["total_s"],
                    **quality(row, answer),
                }
            )
    print(f"== {name}: {len(rows)} questions, warm models, medians ==")
    report(figures)


def report(figures: dict[str, list[dict]]) -> None:
    before, now = figures[VS], figures["now"]
    print(f"{'':28} {VS:>9} {'now':>9} {'now/' + VS:>11}")
    for key in ("first_sentence_s", "first_token_s", "total_s"):
        a = statistics.median(r[key] for r in before)
        b = statistics.median(r[key] for r in now)
        print(f"{key + ' (median)':28} {a:9.2f} {b:9.2f} {b / a:11.2f}")
    for key in ("answered", "contains_gold", "cites_gold_page", "declined_uncovered"):
        a = [r[key] for r in before if key in r]
        b = [r[key] for r in now if key in r]
        if a:
            print(f"{key + ' (share)':28} {sum(a) / len(a):9.3f} {sum(b) / len(b):9.3f}")


def bench_cli(env: dict, rows: list[dict]) -> None:
    """`footnote ask` wall time through a warm `footnote serve`, minus the answer's own time;
    and a cold in-process `footnote ask` for comparison."""
    port = 8765
    serve = subprocess.Popen(
        [*FOOTNOTE, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", serve)
        overhead = [_cli_ask(env, row["question"])[0] for row in rows[:8]]
        cold = [_cli_ask(env, row["question"], "--in-process")[1] for row in rows[:2]]
    finally:
        serve.terminate()
        serve.wait(30)
    print("== footnote ask from a shell, 8 questions ==")
    print(
        f"through warm footnote serve: wall minus the answer's total_s, median "
        f"{statistics.median(overhead):.2f} s (max {max(overhead):.2f})"
    )
    print(f"in-process (loads the models): wall median {statistics.median(cold):.2f} s")


def _cli_ask(env: dict, question: str, *flags: str) -> tuple[float, float]:
    t0 = time.perf_counter()
    result = subprocess.run(
        [*FOOTNOTE, "ask", "--json", *flags, question], env=env, capture_output=True
    )
    if result.returncode not in (0, 3):  # 3: declined ("not in the sources"), a valid answer
        raise subprocess.CalledProcessError(result.returncode, result.args, stderr=result.stderr)
    wall = time.perf_counter() - t0
    return wall - json.loads(result.stdout)["timings"]["total_s"], wall


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        squad_rows = squad_set(tmp / "squad-corpus")
        env = ingest(tmp / "squad", tmp / "squad-corpus")
        run_set("SQuAD", squad_rows, pipelines(env))
        debian_rows = debian_set(tmp)
        env = ingest(tmp / "debian", DATA / "debian-faq" / "html")
        run_set("Debian FAQ (support dev set)", debian_rows, pipelines(env))
        if VS == "before":
            bench_cli(env, debian_rows)


if __name__ == "__main__":
    main()

"""The evaluation harness on the fakes: formats, importers, resumable runs, reports, the gate."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS
from test_ingest import make_ingestor

from evals.dataset import DatasetError, load_dataset
from evals.gate import check
from evals.importers import import_scifact, import_squad
from evals.report import html_report, markdown_summary
from evals.runner import run, scorer_judge, select
from evals.runs import RunNotFound, RunStore
from rag.answering.scorers import LexicalScorer
from ui.cli import main

QUESTIONS = [
    ("What does error code E42 mean?", "lumen-x2-errors.html", "cooling fan"),
    ("How long is the Lumen router warranty?", "warranty.txt", "three-year"),
    ("Refunds are paid back within how many business days?", "refunds.md", "5 business days"),
    ("When is the Lumen cafe open on weekdays?", "cafe-latin1.txt", "8:00 to 16:00"),
]


@pytest.fixture
def dataset(tmp_path, fake_app):
    make_ingestor(fake_app).ingest([str(CORPUS)])
    path = tmp_path / "data" / "dataset.jsonl"
    path.parent.mkdir()
    lines = [
        json.dumps({"question": q, "answers": [a], "gold_sources": [str(CORPUS / g)]})
        for q, g, a in QUESTIONS
    ]
    lines += [
        "{broken json",
        json.dumps({"answers": ["no question"]}),
        json.dumps({"question": "Who won the 1954 World Cup?", "answerable": False}),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_malformed_lines_are_reported_and_skipped(dataset):
    data = load_dataset(dataset)
    assert len(data.examples) == 5
    assert [n for n, _ in data.errors] == [5, 6]
    assert "question" in data.errors[1][1]


def test_empty_or_missing_dataset(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(DatasetError, match="no usable questions"):
        load_dataset(tmp_path / "empty.jsonl")
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset(tmp_path / "none.jsonl")


def run_eval(app, path, kind, **kw):
    data = load_dataset(path)
    examples = select(data.examples, kw.pop("limit", None), kw.pop("sample", None), 0)
    return run(
        kind,
        app.pipeline,
        RunStore(app.store),
        data,
        examples,
        settings={},
        options=kw.pop("options", {}),
        judge=scorer_judge(LexicalScorer(), 0.5),
        batch_size=2,
        **kw,
    )


def test_balanced_sample_takes_half_of_each_kind(dataset):
    examples = load_dataset(dataset).examples  # 4 answerable, 1 unanswerable
    picked = select(examples, None, 2, 3, balanced=True)
    assert sorted(e.answerable for e in picked) == [False, True]
    with pytest.raises(DatasetError, match="has 4 and 1: lower --sample"):
        select(examples, None, 4, 3, balanced=True)


def test_citations_are_judged_again_by_an_independent_judge(fake_app, dataset):
    from evals.citations import CachedJudge, judge_rows, summarise

    run_id = run_eval(fake_app, dataset, "answers")
    rows = RunStore(fake_app.store).results(run_id)
    answered = [r for r in rows if r["status"] == "answered"]
    assert answered and all(r["passages"] for r in answered)

    class Never:  # a judge that finds no sentence supported
        name = "never"

        def scores(self, pairs):
            return [0.0] * len(pairs)

    strict = summarise(judge_rows(rows, CachedJudge(Never(), 0.5)))
    assert strict["citation_precision"]["value"] == 0.0
    assert strict["unsupported_shown"]["value"] == 1.0
    judge = CachedJudge(LexicalScorer(), 0.5)
    same = summarise(judge_rows(rows, judge, against="quote"))
    assert same["citation_recall"]["value"] == 1.0 and same["unsupported_shown"]["value"] == 0.0
    quotes = [key[1] for key in judge.cache]
    everything = " ".join(p for r in answered for p in r["passages"].values())
    assert all(q in everything for q in quotes)  # spans, not passages
    assert max(map(len, quotes)) < max(len(p) for r in answered for p in r["passages"].values())

    env = {"FOOTNOTE_HOME": str(fake_app.settings.home)}
    args = ["eval", "citations", run_id, "--scorer", "lexical", "--json"]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["metrics"]["citation_recall"]["n"] == len(answered)
    metrics = RunStore(fake_app.store).get(run_id)["metrics"]
    assert metrics["judged_citation_precision"]["value"] == 1.0 and "abstention" in metrics
    stored = [r for r in RunStore(fake_app.store).results(run_id) if r["status"] == "answered"]
    assert all(len(r["judged_scores"]) == len(r["sentences"]) for r in stored)
    assert run_eval(fake_app, dataset, "answers") == run_id  # the same command again: resumed
    assert "judged_citation_precision" in RunStore(fake_app.store).get(run_id)["metrics"]


def test_correctness_verdicts_follow_the_calibration_and_hand_grades_measure_it(
    fake_app, dataset, tmp_path
):
    """Stored judge scores become verdicts when read (a new calibration applies to old runs);
    `--hand-grades` reports the agreement on the answers graded by hand."""
    with_refs = tmp_path / "refs.jsonl"
    rows = [json.loads(line) for line in dataset.read_text().splitlines()[:4]]
    with_refs.write_text(
        "".join(json.dumps({**r, "reference": r["answers"][0]}) + "\n" for r in rows)
    )
    run_id = run_eval(fake_app, with_refs, "answers")
    runs = RunStore(fake_app.store)
    answered = [r for r in runs.results(run_id) if r["status"] == "answered"]
    assert len(answered) >= 2
    close, far = (
        {"correct": 0.2, "responsive": 0.9, "similarity": 0.95, "wrong": 0.1},
        {
            "correct": 0.99,
            "responsive": 0.3,
            "similarity": 0.2,
            "wrong": 0.9,
        },
    )
    graded = {r["id"]: {**r, "grades": close if i == 0 else far} for i, r in enumerate(answered)}
    runs.update_results(run_id, graded)  # as if the judge had scored them (no model here)
    hand = tmp_path / "hand.jsonl"
    hand.write_text(
        "".join(
            json.dumps(
                {"id": r["id"], "answer": r["answer"], "correct": 1, "responsive": 1, "wrong": 0}
            )
            + "\n"
            for r in answered
        )
    )
    env = {"FOOTNOTE_HOME": str(fake_app.settings.home)}
    args = ["eval", "correctness", run_id, "--json", "--hand-grades", str(hand)]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    n = len(answered)
    assert out["metrics"]["correct"]["value"] == pytest.approx(1 / len(rows))  # only `close`
    assert out["agreement"]["correct"] == {
        "agreement": 1 / n,
        "judge_rate": 1 / n,
        "hand_rate": 1.0,
        "n": n,
    }
    assert out["agreement"]["wrong"]["judge_rate"] == (n - 1) / n  # the flag, read not trusted
    hand.write_text('{"id": "x"}\n')
    bad = CliRunner().invoke(
        main, ["eval", "correctness", run_id, "--hand-grades", str(hand)], env=env
    )
    assert bad.exit_code == 2 and "line 1 is not a hand grade" in bad.output


def test_retrieval_run_scores_and_stores(fake_app, dataset):
    runs = RunStore(fake_app.store)
    meta = runs.get(run_eval(fake_app, dataset, "retrieval"))
    assert meta["finished_at"] and meta["metrics"]["recall@5"]["n"] == 4
    recall = meta["metrics"]["recall@5"]
    assert recall["low"] <= recall["value"] <= recall["high"] and recall["value"] >= 0.75
    assert len(runs.results(meta["id"])) == 5


def test_interrupted_run_resumes_without_rescoring(fake_app, dataset):
    calls = []
    original = fake_app.pipeline.ask
    fake_app.pipeline.ask = lambda q, filters=None: calls.append(q) or original(q, filters)

    def interrupt(n):
        if len(calls) >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_eval(fake_app, dataset, "answers", progress=interrupt)
    assert len(calls) == 2
    run_id = run_eval(fake_app, dataset, "answers")
    assert len(calls) == 5  # the two scored ones were not asked again
    meta = RunStore(fake_app.store).get(run_id)
    metrics = meta["metrics"]
    assert metrics["abstention"]["n"] == 5 and metrics["citation_precision"]["value"] > 0.5
    assert metrics["cited_gold"]["n"] == 4


def test_changed_code_starts_a_new_run_instead_of_resuming(dataset):
    """Resuming after an upgrade would report the old code's answers as the new code's."""
    from evals.dataset import load_dataset
    from evals.runner import code_fingerprint, run_id_for

    data = load_dataset(dataset)
    same = [run_id_for("answers", data, {"top_k": 3}, {}, code) for code in ("a", "a", "b")]
    assert same[0] == same[1] != same[2]
    assert run_id_for("answers", data, {"top_k": 3}, {}) == run_id_for(
        "answers", data, {"top_k": 3}, {}, code_fingerprint()
    )
    assert len(code_fingerprint()) == 16


def test_a_changed_word_list_starts_a_new_run_as_changed_code_does(tmp_path):
    """Rules are data (rag/text/lexicon): editing a phrase rule changes what answering does,
    so it must not resume the results the old rule gave; compiled caches change nothing."""
    from evals.runner import fingerprint

    package = tmp_path / "rag"
    (package / "lexicon").mkdir(parents=True)
    (package / "cues.py").write_text("RULE = 1\n")
    rule = package / "lexicon" / "procedure-question.txt"
    rule.write_text("how (do|can) i\n")
    before = fingerprint([package])
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "cues.cpython-312.pyc").write_bytes(b"\0")
    assert fingerprint([package]) == before
    rule.write_text("how (do|can) i\ncan i\n")
    assert fingerprint([package]) != before


def test_answers_run_measures_abstention(fake_app, dataset):
    results = RunStore(fake_app.store).results(run_eval(fake_app, dataset, "answers"))
    unanswerable = [r for r in results if not r["gold"]]
    assert len(unanswerable) == 1 and "em" not in unanswerable[0]


def test_gold_sources_never_ingested_are_listed(fake_app, tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"question": "q?", "gold_sources": ["corpus/missing.txt"]}) + "\n")
    with pytest.raises(DatasetError, match=r"1 gold sources .* never ingested \(corpus/missing"):
        run_eval(fake_app, path, "retrieval")


def test_unknown_run_id(fake_app):
    with pytest.raises(RunNotFound, match="no evaluation run 'nope'"):
        RunStore(fake_app.store).get("nope")


def test_reports_are_self_contained_and_escaped(fake_app, dataset, tmp_path):
    store = RunStore(fake_app.store)
    first = run_eval(fake_app, dataset, "retrieval")
    second = run_eval(fake_app, dataset, "retrieval", limit=2, options={"limit": 2})
    runs = [(store.get(r), store.results(r)) for r in (first, second)]
    runs[0][1][0]["question"] = "<script>alert(1)</script>"
    page = html_report(runs)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page and "<svg" in page
    table = markdown_summary([m for m, _ in runs])
    assert table.startswith("| metric |") and first in table
    assert "(+" in table or "(-" in table


def test_gate_floors_and_ceilings():
    metrics = {"recall@5": {"value": 0.8}, "latency_s": {"value": 2.0}}
    assert check(metrics, {"recall@5": 0.7, "latency_s": 3.0}) == []
    failures = check(metrics, {"recall@5": 0.9, "latency_s": 1.0, "ndcg@10": 0.5})
    assert len(failures) == 3 and "below the floor 0.900" in failures[0]


def test_squad_import_with_hold_out(tmp_path):
    squad = {
        "version": "1.1",
        "data": [
            {
                "title": f"Article {a}",
                "paragraphs": [
                    {
                        "context": f"Paragraph {a}.{p} text.",
                        "qas": [
                            {
                                "id": f"q{a}{p}",
                                "question": f"Q{a}{p}?",
                                "answers": [{"text": "text"}],
                            }
                        ],
                    }
                    for p in range(2)
                ],
            }
            for a in range(3)
        ],
    }
    (tmp_path / "s.json").write_text(json.dumps(squad))
    counts = import_squad([tmp_path / "s.json"], tmp_path / "out", hold_out_articles=1)
    assert counts == {"questions": 6, "documents": 4, "unanswerable": 2}
    data = load_dataset(tmp_path / "out" / "dataset.jsonl")
    held = [e for e in data.examples if not e.answerable]
    assert len(held) == 2 and all(not e.gold_sources for e in held)
    gold = data.resolve_source(data.examples[0].gold_sources[0])
    assert Path(gold).read_text().startswith("Paragraph 0.0")
    with pytest.raises(DatasetError, match="leaves no article"):
        import_squad([tmp_path / "s.json"], tmp_path / "o2", hold_out_articles=3)


def test_scifact_import_merges_claim_rows(tmp_path):
    with open(tmp_path / "corpus.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "title", "abstract", "structured"])
        w.writerow(["11", "T1", "['First sentence.'\n 'Second, with comma.']", "False"])
        w.writerow(["22", "T2", "['Other.']", "False"])
    with open(tmp_path / "claims.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "id",
                "claim",
                "evidence_doc_id",
                "evidence_label",
                "evidence_sentences",
                "cited_doc_ids",
            ]
        )
        w.writerow(["1", "Claim one.", "11", "SUPPORT", "[0]", "[11 22]"])
        w.writerow(["1", "Claim one.", "22", "SUPPORT", "[0]", "[11 22]"])
        w.writerow(["2", "Claim two.", "", "", "[]", "[22]"])
    counts = import_scifact([tmp_path / "claims.csv", tmp_path / "corpus.csv"], tmp_path / "out")
    assert counts == {"questions": 2, "documents": 2}
    data = load_dataset(tmp_path / "out" / "dataset.jsonl")
    assert data.examples[0].gold_sources == ("corpus/11.txt", "corpus/22.txt")
    text = (tmp_path / "out" / "corpus" / "11.txt").read_text()
    assert text == "T1\n\nFirst sentence. Second, with comma.\n"
    with pytest.raises(DatasetError, match="neither a SciFact corpus"):
        import_scifact([tmp_path / "out" / "dataset.jsonl"], tmp_path / "o2")


def test_eval_cli_json_and_missing_run(tmp_path):
    env = {"FOOTNOTE_HOME": str(tmp_path / "home")}
    result = CliRunner().invoke(main, ["eval", "report", "nope"], env=env)
    assert result.exit_code == 1 and "no evaluation run 'nope'" in result.output
    result = CliRunner().invoke(main, ["eval", "retrieval", str(tmp_path / "x.jsonl")], env=env)
    assert result.exit_code == 1 and "does not exist" in result.output


def test_tradeoff_curve_trades_coverage_for_precision():
    from evals.report import tradeoff

    results = [
        {"gold": ["a"], "cited_gold": 1.0, "sentences": [{"support": 0.9}]},
        {"gold": ["b"], "cited_gold": 0.0, "sentences": [{"support": 0.6}]},
        {"gold": [], "sentences": [{"support": 0.55}]},
    ]
    low, high = tradeoff(results, (0.5, 0.8))
    assert (low["coverage"], low["precision"], low["unanswerable_answered"]) == (1.0, 0.5, 1.0)
    assert (high["coverage"], high["precision"], high["unanswerable_answered"]) == (0.5, 1.0, 0.0)


def test_relevance_tradeoff_trades_answers_for_abstention():
    from evals.report import relevance_tradeoff

    results = [
        {"gold": ["a"], "status": "answered", "relevance": 0.7},
        {"gold": ["b"], "status": "answered", "relevance": 0.45},
        {"gold": [], "status": "answered", "relevance": 0.5},
        {"gold": [], "status": "not_in_sources", "relevance": 0.2},
    ]
    low, high = relevance_tradeoff(results, (0.44, 0.6))
    assert (low["answered"], low["declined"], low["balanced_accuracy"]) == (1.0, 0.5, 0.75)
    assert (high["answered"], high["declined"], high["balanced_accuracy"]) == (0.5, 1.0, 0.75)


def test_an_answer_over_a_pdf_is_scored_on_the_page_it_cites(fake_app, tmp_path):
    from pdfs import make_pdf

    pdf = tmp_path / "manual.pdf"
    pages = [
        ["Contents: error codes, warranty."],
        ["Error codes", "Error code E42 means that the cooling fan of the router has stopped."],
        ["Warranty", "Every Lumen router comes with a three-year warranty for hardware faults."],
    ]
    pdf.write_bytes(make_pdf(pages))
    make_ingestor(fake_app).ingest([str(pdf)])
    path = tmp_path / "d.jsonl"
    rows = [("What does error code E42 mean?", [2]), ("Is there a warranty?", [3])]
    rows.append(("What does error code E42 mean for the router?", [1]))  # the answer: page 2
    path.write_text(
        "".join(
            json.dumps({"question": q, "gold_sources": [str(pdf)], "gold_pages": p}) + "\n"
            for q, p in rows
        )
    )
    results = RunStore(fake_app.store).results(run_eval(fake_app, path, "answers"))
    by_question = {r["question"]: r for r in results}
    assert by_question["What does error code E42 mean?"]["cited_gold_page"] == 1.0
    # the fake model quotes the contents page: the right file, the wrong page
    wrong = by_question["Is there a warranty?"]
    assert wrong["answer"].startswith("Contents")
    assert wrong["cited_gold"] == 1.0 and wrong["cited_gold_page"] == 0.0
    # of answered questions: the right file, and the gold page or the one after it
    assert by_question["What does error code E42 mean?"]["answered_gold_page"] == 1.0
    assert wrong["answered_gold"] == 1.0 and wrong["answered_gold_page"] == 0.0
    after = by_question["What does error code E42 mean for the router?"]
    assert after["cited_gold_page"] == 0.0 and after["answered_gold_page"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "q?", "gold_pages": [0]}) + "\n")
    with pytest.raises(DatasetError, match="no usable questions"):
        load_dataset(bad)


def test_a_split_is_fixed_by_its_seed_and_halves_every_style(tmp_path):
    from evals.dataset import Example, write_dataset
    from evals.split import split_file

    styles = ["terse"] * 6 + ["casual"] * 4
    examples = [Example(f"q{i}", id=f"id{i}", style=s) for i, s in enumerate(styles)]
    examples += [Example(f"u{i}", id=f"u{i}", answerable=False, style="hard") for i in range(4)]
    path = tmp_path / "d.jsonl"
    write_dataset(path, examples)
    first = {h: [e.id for e in load_dataset(p).examples] for h, p in split_file(path, 7).items()}
    write_dataset(path, list(reversed(examples)))  # the order of the file does not matter
    again = {h: [e.id for e in load_dataset(p).examples] for h, p in split_file(path, 7).items()}
    assert sorted(first["tune"]) == sorted(again["tune"])
    assert sorted(first["tune"] + first["check"]) == sorted(e.id for e in examples)
    tune = {e.id: e for e in examples if e.id in first["tune"]}
    assert sorted(e.style for e in tune.values()) == ["casual"] * 2 + ["hard"] * 2 + ["terse"] * 3
    other = {h: [e.id for e in load_dataset(p).examples] for h, p in split_file(path, 8).items()}
    assert other["tune"] != first["tune"]  # another seed, another split


def test_an_answer_run_is_broken_down_by_how_questions_were_asked():
    from evals.breakdown import by_style, markdown_by_style

    rows = [
        {"answerable": True, "style": "terse", "covered_answered": 1.0, "point_recall": 0.5},
        {"answerable": True, "style": "terse", "covered_answered": 0.0, "point_recall": 0.0},
        {"answerable": True, "style": "casual", "covered_answered": 1.0, "point_recall": 1.0},
        {"answerable": False, "style": "hard", "uncovered_declined": 1.0},
    ]
    table = {(r["kind"], r["style"]): r for r in by_style(rows)}
    assert table["covered", "terse"]["covered_answered"] == 0.5
    assert table["covered", "all"]["n"] == 3 and table["covered", "all"]["point_recall"] == 0.5
    assert table["uncovered", "hard"]["uncovered_declined"] == 1.0
    assert "| covered | casual | 1 |" in markdown_by_style(rows)

"""Evaluation reports: a self-contained HTML file (inline SVG, no network) and a Markdown table."""

from __future__ import annotations

import html
import math
import statistics

CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;width:100%}td,th{border:1px solid #ddd;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f4f4f4}.num{text-align:right;font-variant-numeric:
tabular-nums}.up{background:#e3f6e3}.down{background:#fbe2e2}.small{color:#666;font-size:12px}
.bad{color:#a00}"""


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _bars(metrics: dict[str, dict]) -> str:
    """SVG bars (0..1) with 95% interval whiskers, one per metric."""
    names = [n for n, m in metrics.items() if 0 <= m["value"] <= 1 and n != "latency_s"]
    width, row = 620, 26
    parts = [f'<svg width="{width}" height="{row * len(names) + 10}" role="img">']
    for i, name in enumerate(names):
        m, y, scale = metrics[name], i * row + 5, width - 220
        parts += [
            f'<text x="0" y="{y + 15}" font-size="12">{html.escape(name)}</text>',
            f'<rect x="150" y="{y + 3}" width="{m["value"] * scale:.1f}" height="16" '
            'fill="#4a7bd0"/>',
            f'<line x1="{150 + m["low"] * scale:.1f}" x2="{150 + m["high"] * scale:.1f}" '
            f'y1="{y + 11}" y2="{y + 11}" stroke="#000" stroke-width="2"/>',
            f'<text x="{155 + scale}" y="{y + 15}" font-size="12">{m["value"]:.3f}</text>',
        ]
    return "".join(parts) + "</svg>"


def _histogram(values: list[float], label: str) -> str:
    if not values:
        return ""
    top, bins = max(values) or 1.0, 20
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v / top * bins))] += 1
    peak = max(counts)
    bars = "".join(
        f'<rect x="{i * 30}" y="{120 - c / peak * 110:.1f}" width="28" '
        f'height="{c / peak * 110:.1f}"'
        f' fill="#888"><title>{c}</title></rect>'
        for i, c in enumerate(counts)
    )
    return (
        f"<p>{html.escape(label)}: median {statistics.median(values):.3f} s, max {top:.3f} s"
        f'</p><svg width="600" height="125" role="img">{bars}</svg>'
    )


THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def tradeoff(results: list[dict], thresholds=THRESHOLDS) -> list[dict]:
    """Per support threshold t: coverage (share of answerable questions still answered when only
    sentences with support >= t are shown), precision (share of those answers citing a gold
    source), and the share of unanswerable questions still answered (should be 0)."""
    rows = []
    for t in thresholds:

        def shown(r, t=t):
            return any(s.get("support", 0) >= t for s in r.get("sentences", []))

        answerable = [r for r in results if r.get("gold")]
        unanswerable = [r for r in results if not r.get("gold")]
        kept = [r for r in answerable if shown(r)]
        rows.append(
            {
                "threshold": t,
                "coverage": len(kept) / len(answerable) if answerable else float("nan"),
                "precision": (
                    sum(r.get("cited_gold", 0) for r in kept) / len(kept) if kept else float("nan")
                ),
                "unanswerable_answered": (
                    sum(map(shown, unanswerable)) / len(unanswerable)
                    if unanswerable
                    else float("nan")
                ),
            }
        )
    return rows


def _threshold_table(title: str, note: str, columns: dict[str, str], rows: list[dict]) -> str:
    """A trade-off table: one row per threshold, `columns` maps row keys to headings."""
    head = "".join(f"<th>{heading}</th>" for heading in columns.values())
    body = "".join(
        "<tr>" + "".join(f"<td class=num>{_fmt(r[key])}</td>" for key in columns) + "</tr>"
        for r in rows
    )
    return f"<h3>{title}</h3><p class=small>{note}</p><table><tr>{head}</tr>{body}</table>"


def _tradeoff_table(results: list[dict]) -> str:
    return _threshold_table(
        "Support threshold trade-off",
        "Answers shown only when a sentence reaches the threshold (setting <code>min_support"
        "</code>; thresholds below the run's own setting cannot show more than it did).",
        {
            "threshold": "threshold",
            "coverage": "coverage",
            "precision": "citation precision (gold cited)",
            "unanswerable_answered": "unanswerable answered",
        },
        tradeoff(results),
    )


RELEVANCE_THRESHOLDS = (0.3, 0.35, 0.4, 0.44, 0.5, 0.55, 0.6)


def relevance_tradeoff(results: list[dict], thresholds=RELEVANCE_THRESHOLDS) -> list[dict]:
    """Per relevance threshold t (setting `min_relevance`): the share of answerable questions
    still answered, of unanswerable ones declined, and their mean (abstention accuracy on a
    balanced set). Uses the best passage's relevance stored with each answer."""
    answerable = [r for r in results if r.get("gold")]
    unanswerable = [r for r in results if not r.get("gold")]

    def share(rows: list[dict], keep) -> float:
        return sum(map(keep, rows)) / len(rows) if rows else float("nan")

    out = []
    for t in thresholds:

        def answered(r, t=t):
            relevance = r.get("relevance", 1.0)
            return r.get("status") == "answered" and relevance >= t

        kept = share(answerable, answered)
        declined = share(unanswerable, lambda r, a=answered: not a(r))
        out.append(
            {
                "threshold": t,
                "answered": kept,
                "declined": declined,
                "balanced_accuracy": (kept + declined) / 2,
            }
        )
    return out


def _relevance_table(results: list[dict]) -> str:
    return _threshold_table(
        "Relevance threshold trade-off",
        "Questions answered only when the best passage reaches the threshold (setting <code>"
        "min_relevance</code>; thresholds below the run's own setting cannot answer more than "
        "it did).",
        {
            "threshold": "threshold",
            "answered": "answerable answered",
            "declined": "unanswerable declined",
            "balanced_accuracy": "balanced abstention accuracy",
        },
        relevance_tradeoff(results),
    )


def _metric_table(runs: list[dict]) -> str:
    names = list(dict.fromkeys(n for r in runs for n in (r["metrics"] or {})))
    head = "".join(f"<th>{html.escape(r['id'])}</th>" for r in runs)
    rows = []
    for name in names:
        cells, base = [], (runs[0]["metrics"] or {}).get(name)
        for r in runs:
            m = (r["metrics"] or {}).get(name)
            if not m:
                cells.append("<td>–</td>")
                continue
            cls, delta = "", ""
            if base and r is not runs[0]:
                delta = f" ({m['value'] - base['value']:+.3f})"
                if m["low"] > base["high"] or m["high"] < base["low"]:  # intervals apart
                    better = (m["value"] > base["value"]) != (name in LOWER_IS_BETTER)
                    cls = ' class="num up"' if better else ' class="num down"'
            cells.append(
                f'<td{cls or " class=num"}>{m["value"]:.3f}{delta}<br><span class="small">'
                f"[{m['low']:.3f}, {m['high']:.3f}] n={m['n']}</span></td>"
            )
        rows.append(f"<tr><th>{html.escape(name)}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th>metric (95% CI)</th>{head}</tr>{''.join(rows)}</table>"


LOWER_IS_BETTER = {"latency_s", "judged_wrong_statement_shown", "judged_unsupported_shown"}


def _worst_first(kind: str, results: list[dict]) -> list[dict]:
    if any(r.get("grades") for r in results):  # judged against references: wrong, then wrong-ish
        return sorted(results, key=_graded_badness, reverse=True)
    key = "ndcg@10" if kind == "retrieval" else "f1"
    return sorted(
        results,
        key=lambda r: (r.get(key, r.get("abstention", 1.0)), r.get("citation_precision", 1.0)),
    )


def _graded_badness(r: dict) -> tuple[float, float, float]:
    """A wrong statement first, then an answer that is not correct, then one not responsive;
    questions nobody graded (declined) last."""
    g = r.get("grades") or {}
    if not g:
        return (-1.0, 0.0, 0.0)
    return (g.get("wrong", 0.0), 1 - g.get("correct", 1.0), 1 - g.get("responsive", 1.0))


def _question_rows(kind: str, results: list[dict], limit: int = 200) -> str:
    rows = []
    for r in _worst_first(kind, results)[:limit]:
        if kind == "retrieval":
            detail = (
                "<b>gold:</b> "
                + html.escape(", ".join(r["gold"]))
                + "<br><b>top:</b> "
                + html.escape(", ".join(r.get("ranked", [])[:5]))
            )
            score = _fmt(r.get("ndcg@10"))
        else:
            cites = "".join(
                f"<li>[{i}] {html.escape(s)}</li>" for i, s in enumerate(r["sources"], 1)
            )
            detail = (
                f"<b>{html.escape(r['status'])}:</b> {html.escape(r['answer'])}"
                f"<ol class=small>{cites}</ol><b>gold:</b> "
                + html.escape("; ".join(r.get("answers", [])) or ", ".join(r["gold"]))
            )
            score = (
                f"f1 {_fmt(r.get('f1'))}<br>cite P {_fmt(r.get('citation_precision'))}"
                f"<br>abst {_fmt(r.get('abstention'))}"
            )
            score += "".join(
                f"<br>{name} {_fmt(value)}" for name, value in (r.get("grades") or {}).items()
            )
        rows.append(
            f"<tr><td>{html.escape(r['question'])}</td><td>{detail}</td>"
            f"<td class=num>{score}</td></tr>"
        )
    return (
        "<table><tr><th>question</th><th>result</th><th>scores</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def html_report(runs: list[tuple[dict, list[dict]]]) -> str:
    """The report for one run, or a side-by-side comparison (first run = baseline) of several."""
    metas = [meta for meta, _ in runs]
    body = [f"<h1>Footnote evaluation: {html.escape(', '.join(m['id'] for m in metas))}</h1>"]
    for meta in metas:
        opts = html.escape(str(meta["options"]))
        body.append(
            f"<p class=small>{html.escape(meta['id'])}: {html.escape(meta['kind'])} on "
            f"{html.escape(meta['dataset'])} (sha256 {meta['dataset_hash'][:12]}), {opts}"
            "</p>"
        )
    body.append(_metric_table(metas))
    for meta, results in runs:
        body.append(f"<h2>{html.escape(meta['id'])}</h2>")
        body.append(_bars(meta["metrics"] or {}))
        latencies = [r["latency_s"] for r in results if "latency_s" in r]
        body.append(_histogram(latencies, "latency per question"))
        if meta["kind"] == "answers":
            body.append(_tradeoff_table(results))
            body.append(_relevance_table(results))
        body.append("<h3>Questions, worst first</h3>" + _question_rows(meta["kind"], results))
    return (
        f"<!doctype html><meta charset=utf-8><title>Footnote evaluation</title>"
        f"<style>{CSS}</style>{''.join(body)}"
    )


def markdown_summary(runs: list[dict]) -> str:
    """Metric table for CI logs: one column per run, deltas against the first."""
    names = list(dict.fromkeys(n for r in runs for n in (r["metrics"] or {})))
    lines = ["| metric | " + " | ".join(r["id"] for r in runs) + " |", "|---|" + "---|" * len(runs)]
    for name in names:
        cells = []
        for r in runs:
            m, base = (r["metrics"] or {}).get(name), (runs[0]["metrics"] or {}).get(name)
            if not m:
                cells.append("–")
                continue
            delta = f" ({m['value'] - base['value']:+.3f})" if base and r is not runs[0] else ""
            cells.append(f"{m['value']:.3f} [{m['low']:.3f}, {m['high']:.3f}]{delta}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

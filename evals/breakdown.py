"""An answer run broken down by how its questions were asked (the dataset's `style`: terse,
symptom, ... for covered questions; easy or hard for uncovered ones)."""

from __future__ import annotations

from collections import Counter, defaultdict

from evals.report import _fmt

COLUMNS = {
    "covered_answered": "answered",
    "uncovered_declined": "declined",
    "point_recall": "point words",
    "cited_gold_section": "gold section cited",
    "cited_gold": "gold page cited",
    "cited_gold_page": "gold PDF page cited",
    "answered_gold_page": "of answered: gold PDF page or the next",
}


def by_style(results: list[dict]) -> list[dict]:
    """One row per (covered or not, style): the number of questions and the mean of each of
    COLUMNS over the rows that have it (None when none has it); then one row per kind.

    >>> rows = [{"answerable": True, "style": "terse", "covered_answered": 1.0},
    ...         {"answerable": True, "style": "terse", "covered_answered": 0.0}]
    >>> by_style(rows)[0]["covered_answered"], by_style(rows)[0]["n"]
    (0.5, 2)
    """
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in results:
        kind = "covered" if row.get("answerable", True) else "uncovered"
        groups[kind, row.get("style") or "-"].append(row)
        groups[kind, "all"].append(row)
    out = []
    for (kind, style), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] == "all")):
        line = {"kind": kind, "style": style, "n": len(rows)}
        for name in COLUMNS:
            values = [float(r[name]) for r in rows if r.get(name) is not None]
            line[name] = round(sum(values) / len(values), 3) if values else None
        out.append(line)
    return out


def markdown_by_style(results: list[dict]) -> str:
    """`by_style` as a Markdown table (only the columns some row has)."""
    rows = by_style(results)
    names = [n for n in COLUMNS if any(r[n] is not None for r in rows)]
    head = "| kind | style | n | " + " | ".join(COLUMNS[n] for n in names) + " |"
    lines = [head, "|" + "---|" * (3 + len(names))]
    for r in rows:
        cells = [_fmt(r[n]) for n in names]
        lines.append(f"| {r['kind']} | {r['style']} | {r['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_rows(rows: list[dict]) -> str:
    """Rows of equal keys (kind, style, n, then shares) as a Markdown table."""
    if not rows:
        return "(nothing)"
    names = [k for k in rows[0] if k not in ("kind", "style", "n")]
    names += [k for r in rows for k in r if k not in names and k not in ("kind", "style", "n")]
    names = list(dict.fromkeys(names))
    lines = ["| kind | style | n | " + " | ".join(names) + " |", "|" + "---|" * (3 + len(names))]
    for r in rows:
        cells = [_fmt(r.get(n)) for n in names]
        lines.append(f"| {r['kind']} | {r['style']} | {r['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rule_counts(results: list[dict]) -> list[tuple[str, str, int, int]]:
    """(rule, action, decisions, answers they occur in) over the run's answers, most
    frequent first: how often each answering rule decided, and what.

    >>> kept, drop = {"action": "show", "rule": "kept"}, {"action": "drop", "rule": "support"}
    >>> rows = [{"decisions": [kept]}, {"decisions": [kept, drop]}]
    >>> rule_counts(rows)
    [('kept', 'show', 2, 2), ('support', 'drop', 1, 1)]
    """
    decisions: Counter[tuple[str, str]] = Counter()
    answers: Counter[tuple[str, str]] = Counter()
    for row in results:
        seen = [(d["rule"], d["action"]) for d in row.get("decisions", [])]
        decisions.update(seen)
        answers.update(set(seen))
    return [(r, a, n, answers[r, a]) for (r, a), n in decisions.most_common()]


def markdown_rules(results: list[dict]) -> str:
    """`rule_counts` as a Markdown table."""
    lines = ["| rule | action | decisions | answers |", "|---|---|---|---|"]
    lines += [f"| {r} | {a} | {n} | {m} |" for r, a, n, m in rule_counts(results)]
    return "\n".join(lines)

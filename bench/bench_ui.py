"""Web app latency in a real headless Chromium: from pressing Enter to the first verified sentence
on screen and to the complete answer (stored, with sources), median of 10 questions.

    python bench/bench_ui.py        (needs chromium + chromium-driver; see `make browser`)
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import ask, chromium, missing, ui_server  # noqa: E402
from common import QUESTIONS as BENCH_QUESTIONS  # noqa: E402
from common import demo_home  # noqa: E402

QUESTIONS = [  # the shared ones, two more about the docs before the unanswerable last one
    *BENCH_QUESTIONS[:-1],
    "What is the default chunk size?",
    "How does Footnote decide that the sources don't contain the answer?",
    BENCH_QUESTIONS[-1],
]


def main() -> None:
    if missing():
        sys.exit(missing())
    home, env = demo_home("footnote-bench-ui-")
    with ui_server(env, home / "ui.log") as base, chromium() as driver:
        driver.get(base)
        ask(driver, "warm-up: what is Footnote?")  # loads the models in the server
        times = []
        for question in QUESTIONS:
            driver.get(base)  # a fresh session per question: no follow-up rewriting
            times.append(ask(driver, question))
    first = [t["first_s"] for t in times]
    complete = [t["complete_s"] for t in times]
    print(f"web app, {len(times)} questions, real models, headless Chromium:")
    print(
        f"  Enter -> first verified sentence  median {statistics.median(first):.2f} s"
        f"  (min {min(first):.2f}, max {max(first):.2f})"
    )
    print(
        f"  Enter -> complete answer           median {statistics.median(complete):.2f} s"
        f"  (min {min(complete):.2f}, max {max(complete):.2f})"
    )


if __name__ == "__main__":
    main()

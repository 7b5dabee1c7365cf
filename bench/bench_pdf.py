"""PDF text extraction: word-level F1 against the known text, and pages per second, for each
library tried and for Footnote's extraction (pypdfium2 plus clean-up), side by side.

    python bench/bench_pdf.py     (needs Debian's chromium to print HTML pages to PDF)

Sets: the Debian FAQ PDF against its plain-text edition; Debian FAQ HTML pages printed to PDF by
headless Chromium (with its running header and footer) against the pages' visible text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

DATA = Path(os.environ.get("FOOTNOTE_DATA", Path(__file__).parents[1].parent / "shared" / "data"))
FAQ = DATA / "debian-faq"
CHROMIUM = [
    "chromium",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.lower()))


def f1(found: str, truth: str) -> tuple[float, float, float]:
    a, b = words(found), words(truth)
    common = sum((a & b).values())
    p, r = common / max(1, sum(a.values())), common / max(1, sum(b.values()))
    return p, r, 2 * p * r / max(p + r, 1e-9)


def with_pdfium(path: Path) -> tuple[str, int]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    return "\n".join(texts), len(texts)


def with_pypdf(path: Path) -> tuple[str, int]:
    import pypdf

    reader = pypdf.PdfReader(path)
    return "\n".join(p.extract_text() or "" for p in reader.pages), len(reader.pages)


def with_pdfplumber(path: Path) -> tuple[str, int]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages), len(pdf.pages)


def with_footnote(path: Path) -> tuple[str, int]:
    from ingest.pdf import pdf_document

    doc = pdf_document(path.read_bytes(), str(path), path.name, "default", 10_000)
    return doc.text, len(doc.pages)


LIBRARIES = {
    "pypdfium2": with_pdfium,
    "pypdf": with_pypdf,
    "pdfplumber": with_pdfplumber,
    "footnote (pypdfium2 + clean-up)": with_footnote,
}


def printed_pages(folder: Path, limit: int) -> list[tuple[Path, str]]:
    """Debian FAQ HTML pages printed to PDF, with their visible text."""
    from lxml import html

    out = []
    for page in sorted((FAQ / "html").glob("*.html"))[:limit]:
        pdf = folder / (page.stem + ".pdf")
        profile = tempfile.mkdtemp(prefix="bench-pdf-chromium-")
        command = [*CHROMIUM, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.as_uri()]
        subprocess.run(command, capture_output=True, timeout=120, check=False)
        if pdf.is_file():
            tree = html.fromstring(page.read_bytes())
            out.append((pdf, tree.body.text_content()))
    return out


def measure(sets: dict[str, list[tuple[Path, str]]]) -> None:
    print(f"{'set':28} {'library':34} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>8}")
    for name, items in sets.items():
        for library, extract in LIBRARIES.items():
            found, truth, pages, seconds = [], [], 0, 0.0
            for path, text in items:
                t0 = time.perf_counter()
                got, n = extract(path)
                seconds += time.perf_counter() - t0
                found.append(got)
                truth.append(text)
                pages += n
            p, r, f = f1("\n".join(found), "\n".join(truth))
            rate = pages / seconds
            print(f"{name:28} {library:34} {p:6.3f} {r:6.3f} {f:6.3f} {rate:8.1f}", flush=True)


def main() -> None:
    if not (FAQ / "debian-faq.en.pdf").is_file():
        sys.exit(f"no Debian FAQ under {FAQ}: set FOOTNOTE_DATA")
    sets = {"Debian FAQ PDF vs its .txt": [
        (FAQ / "debian-faq.en.pdf", (FAQ / "debian-faq.en.txt").read_text(encoding="utf-8"))
    ]}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        printed = printed_pages(Path(tmp), int(os.environ.get("BENCH_PDF_PAGES", "16")))
        if printed:
            sets[f"{len(printed)} HTML pages printed"] = printed
        measure(sets)


if __name__ == "__main__":
    main()

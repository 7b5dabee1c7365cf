"""The web app in a real headless Chromium, on the real packaged models."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser import ask, chromium, missing, serve_bytes, ui_server
from conftest import CORPUS
from pdfs import make_pdf

pytestmark = pytest.mark.real_models
SHOTS = os.environ.get("FOOTNOTE_SCREENSHOTS", "")
POWER = "The Lumen X2 power adapter delivers 12 volts at 2 amperes."


@pytest.fixture(scope="module")
def home(tmp_path_factory, real_models_dir):
    if missing():
        pytest.fail(missing())
    from rag.settings import load_settings
    from ui.compose import App

    home = tmp_path_factory.mktemp("ui-home")
    hostile = home / "hostile"
    hostile.mkdir()
    (hostile / "care.md").write_text(
        "# Widget care\n\nWidget filters are cleaned with warm water every month. "
        "<script>document.title = 'pwned'</script> Never clean them with bleach.\n"
    )
    env = {
        "FOOTNOTE_HOME": str(home),
        "FOOTNOTE_MODELS_DIR": str(real_models_dir),
        "FOOTNOTE_ALLOW_PRIVATE_NETWORKS": "1",  # the PDF below is served on loopback
        "FOOTNOTE_ALLOWED_PORTS": "*",
    }
    app = App(load_settings(environ=env)[0])
    app.ingestor().ingest([str(CORPUS), str(hostile)])
    pages = [["Lumen X2 adapter guide", "Contents"], ["Power", POWER]]
    with serve_bytes(make_pdf(pages), "application/pdf") as url:
        report = app.ingestor().ingest([url + "/adapter.pdf"])
    assert report.added, report.failed
    return env


def save(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    driver.save_screenshot(str(path))
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / name)
    return path


def test_ask_in_a_real_browser(home, tmp_path):
    from selenium.webdriver.common.by import By

    with ui_server(home, tmp_path / "ui.log") as base, chromium() as driver:
        driver.get(base)
        timing = ask(driver, "How long is the Lumen warranty?")
        text = driver.find_element(By.CSS_SELECTOR, "[data-testid='stMainBlockContainer']").text
        assert "three-year" in text
        marks = driver.find_elements(By.CSS_SELECTOR, ".fn-passage mark")
        assert marks and marks[0].text.strip(), "no highlighted quote"
        assert driver.find_elements(By.CSS_SELECTOR, ".fn-cite")
        print(f"\nscreenshot: {save(driver, tmp_path, 'ask-desktop.png')} {timing}")

        ask(driver, "How are widget filters cleaned?")
        assert driver.title != "pwned"  # the document's script did not run
        print(f"screenshot: {save(driver, tmp_path, 'ask-hostile.png')}")

        ask(driver, "Who won the football world cup in 1954?")
        assert driver.find_elements(By.CSS_SELECTOR, ".fn-declined")
        print(f"screenshot: {save(driver, tmp_path, 'ask-declined.png')}")

        ask(driver, "How many volts does the Lumen X2 power adapter deliver?")
        links = driver.find_elements(By.CSS_SELECTOR, "[data-testid='stLinkButton'] a")
        pdf = [a.get_attribute("href") for a in links if "adapter.pdf" in a.get_attribute("href")]
        assert pdf and pdf[-1].endswith("/adapter.pdf#page=2"), pdf  # opens at the page
        print(f"screenshot: {save(driver, tmp_path, 'ask-pdf.png')}")


def test_phone_screen(home, tmp_path):
    from selenium.webdriver.common.by import By

    with ui_server(home, tmp_path / "ui.log") as base, chromium(390, 844, phone=True) as driver:
        driver.get(base)
        ask(driver, "How long is the Lumen warranty?")
        shot = save(driver, tmp_path, "ask-phone.png")
        viewport = driver.execute_script("return window.innerWidth")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert viewport == 390 and width <= viewport, f"sideways scrolling: {width}px"
        assert driver.find_elements(By.CSS_SELECTOR, ".fn-passage mark"), shot
        print(f"\nscreenshot: {shot}")

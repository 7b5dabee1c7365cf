"""Headless Chromium (Debian's chromium + chromium-driver) driving a real `footnote ui` server,
for the browser test and the UI latency benchmark."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--disable-sync",
    "--no-first-run",
)


def missing() -> str:
    """What is missing to run a browser, or '' when everything is there."""
    for binary in ("chromium", "chromedriver"):
        if not shutil.which(binary):
            return f"{binary} not found: apt-get install chromium chromium-driver"
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_bytes(body: bytes, content_type: str):
    """An HTTP server on 127.0.0.1 answering every GET with `body`; yields its base URL."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def ui_server(env: dict[str, str], log: Path):
    """`footnote ui` on 127.0.0.1; yields its base URL once healthy."""
    port = free_port()
    footnote = Path(sys.executable).with_name("footnote")
    command = [
        str(footnote),
        "ui",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=out)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if httpx.get(base + "/_stcore/health", timeout=1).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError(f"footnote ui exited: {log.read_text()[-2000:]}")
                time.sleep(0.3)
            else:
                raise RuntimeError(f"footnote ui did not start: {log.read_text()[-2000:]}")
            yield base
        finally:
            proc.terminate()
            proc.wait(10)


@contextmanager
def chromium(width: int = 1280, height: int = 900, phone: bool = False):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="footnote-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    if phone:  # a window cannot be made narrower than ~500 px; emulate the device instead
        metrics = {"width": width, "height": height, "pixelRatio": 3.0}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    else:
        options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def ask(driver, question: str, timeout: float = 120) -> dict:
    """Type a question, press Enter; seconds to the first shown sentence and to the full answer."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, timeout, poll_frequency=0.05)
    box = wait.until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid='stChatInputTextArea']"))
    )
    feedback = "[data-testid='stFeedback']"
    answers_before = len(driver.find_elements(By.CSS_SELECTOR, feedback))
    shown = ".fn-sentence, .fn-unsupported, .fn-declined, [data-testid='stAlert']"
    shown_before = len(driver.find_elements(By.CSS_SELECTOR, shown))
    box.send_keys(question)
    started = time.perf_counter()
    box.send_keys(Keys.ENTER)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, shown)) > shown_before)
    first = time.perf_counter() - started
    # complete: the answer was stored and re-rendered with its sources and feedback control
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, feedback)) > answers_before)
    return {"first_s": first, "complete_s": time.perf_counter() - started}

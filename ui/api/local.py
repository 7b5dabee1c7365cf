"""The command line's way to a warm `footnote serve` of the same home.

`footnote serve` writes `serve.json` in the home while it runs (its URL, its process and a
secret that opens every collection; readable by the owner only: whoever can read the home can
read its database anyway) and removes it when it stops. `footnote ask` reads the file and, when
the server is alive, ready and runs the same settings, streams its answer from there instead of
loading the embedder, the index and the model for one question (several seconds each time).
Anything else (no file, a dead process, other settings, a refused connection) means answering
in-process as before; an error the server reports about the question is the user's error.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from rag.errors import FootnoteError

SERVER_FILE = "serve.json"
CONNECT_TIMEOUT = 0.5  # a live server on this machine answers /readyz in milliseconds


@dataclass(frozen=True)
class LocalServer:
    url: str
    token: str


def fingerprint(settings: dict) -> str:
    """A digest of the settings that shape answers, so a server started with other settings
    (another model, other limits) is not used in their place."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def local_url(host: str, port: int) -> str:
    """The URL this machine reaches a server on (a wildcard address is reached on loopback)."""
    if host in {"", "0.0.0.0", "::"}:
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announce(home: Path, url: str, token: str, settings_digest: str) -> Path:
    """Write `serve.json` in the home (owner-only) for the command line to find."""
    path = home / SERVER_FILE
    home.mkdir(parents=True, exist_ok=True)
    record = {"url": url, "token": token, "pid": os.getpid(), "settings": settings_digest}
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(record, f)
    os.replace(path.with_suffix(".tmp"), path)
    return path


def withdraw(path: Path, token: str) -> None:
    """Remove `serve.json` unless another server of the same home has replaced it since."""
    if _read(path).get("token") == token:
        path.unlink(missing_ok=True)


def find_server(home: Path, settings_digest: str, wait: float = 60.0) -> LocalServer | None:
    """The warm server of this home if there is one with these settings; while it is still
    loading its models, wait for it up to `wait` seconds (still sooner than loading them here)."""
    record = _read(home / SERVER_FILE)
    if not record or record.get("settings") != settings_digest or not _alive(record.get("pid")):
        return None
    server = LocalServer(str(record["url"]), str(record["token"]))
    deadline = time.monotonic() + wait
    while True:
        try:
            status = httpx.get(f"{server.url}/readyz", timeout=CONNECT_TIMEOUT).status_code
        except httpx.HTTPError:
            return None
        if status == 200:
            return server
        if status != 503 or time.monotonic() > deadline:
            return None
        time.sleep(0.2)


def ask_server(
    server: LocalServer, question: str, collections: tuple[str, ...] = (), **options: str
) -> Iterator[tuple[str, dict]]:
    """Server-sent events of one answer: ("sentence", data) for each verified sentence as it
    comes, then ("answer", data). `options`: source_prefix, since, until as in the API. An error
    the server gives is raised as a FootnoteError."""
    body = {
        "question": question,
        "collections": list(collections),
        "options": {k: v for k, v in options.items() if v},
        "stream": True,
    }
    headers = {"Authorization": f"Bearer {server.token}"}
    timeout = httpx.Timeout(None, connect=CONNECT_TIMEOUT)
    with httpx.stream(
        "POST", f"{server.url}/v1/ask", json=body, headers=headers, timeout=timeout
    ) as response:
        if response.status_code != 200:
            response.read()
            raise FootnoteError(_error_message(response))
        yield from _events(response.iter_lines())


def _events(lines: Iterator[str]) -> Iterator[tuple[str, dict]]:
    name = ""
    for line in lines:
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data = json.loads(line.removeprefix("data:"))
            if name == "error":
                raise FootnoteError(data.get("message", "the server failed to answer"))
            yield name, data


def _error_message(response: httpx.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return f"the local server answered {response.status_code}"


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's: its /readyz decides
    return True

"""Load test of the support-bot API: N concurrent clients for T seconds against `footnote serve`
on loopback with the real packaged models, from this (second) process.

Each client loops over a fixed question set: an answer (every third one inside a conversation),
then feedback on it. Reports requests served, errors, latency percentiles, the generator queue,
the server's peak memory, and whether every feedback and message that got a 2xx is stored.

    python bench/bench_api.py            # 20 clients, 120 s (BENCH_API_CLIENTS, BENCH_API_SECONDS)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import time
from collections import Counter
from pathlib import Path

import httpx
import sqlalchemy as sa
from common import FOOTNOTE, QUESTIONS, demo_home, wait_ready

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "120"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def client_loop(i: int, base: str, token: str, deadline: float, out: dict) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=900) as http:
        conversation = (await http.post("/v1/conversations", json={})).json()["id"]
        n = 0
        while time.monotonic() < deadline:
            question = QUESTIONS[(i + n) % len(QUESTIONS)]
            in_convo = n % 3 == 2
            path = f"/v1/conversations/{conversation}/messages" if in_convo else "/v1/ask"
            started = time.perf_counter()
            try:
                response = await http.post(path, json={"question": question})
                out["status"][response.status_code] += 1
                if response.status_code == 200:
                    out["latency"].append(time.perf_counter() - started)
                    out["messages_ok"] += in_convo
                    answer = response.json()
                    rating = "up" if answer["status"] == "answered" else "down"
                    fb = await http.post(
                        "/v1/feedback", json={"answer_id": answer["id"], "rating": rating}
                    )
                    out["status"][fb.status_code] += 1
                    out["feedback_ok"] += fb.status_code == 200
                else:
                    out["errors"].append(f"{response.status_code} {response.text[:200]}")
            except httpx.HTTPError as exc:
                out["errors"].append(f"{type(exc).__name__}: {exc}")
            n += 1


async def sample(base: str, pid: int, deadline: float, out: dict) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        while time.monotonic() < deadline:
            ready = (await http.get("/readyz")).json()
            out["waiting"].append(ready.get("waiting", 0))
            out["rss"].append(rss_mb(pid))
            await asyncio.sleep(2)


def start_server(home: Path, env: dict) -> tuple[subprocess.Popen, str, str, object]:
    """A `footnote serve` of the home on a free-ish port; its key, base URL and log file."""
    created = subprocess.run(
        [FOOTNOTE, "keys", "create", "--name", "load", "--collection", "default", "--rate", "6000"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token = created.stdout.strip().splitlines()[-1]
    port = 18000 + os.getpid() % 1000
    log = open(home / "serve.log", "w")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [FOOTNOTE, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, server)
    return server, token, base, log


def load(server: subprocess.Popen, base: str, token: str) -> tuple[dict, float]:
    """CLIENTS clients asking (and sending feedback) for SECONDS; the tallies and wall time."""
    out = {
        "status": Counter(),
        "latency": [],
        "errors": [],
        "feedback_ok": 0,
        "messages_ok": 0,
        "waiting": [],
        "rss": [],
    }
    started = time.monotonic()
    deadline = started + SECONDS

    async def run() -> None:
        await asyncio.gather(
            sample(base, server.pid, deadline, out),
            *(client_loop(i, base, token, deadline, out) for i in range(CLIENTS)),
        )

    asyncio.run(run())
    return out, time.monotonic() - started


def report(home: Path, out: dict, wall: float, alive: bool) -> None:
    engine = sa.create_engine(f"sqlite:///{home / 'footnote.db'}")
    with engine.connect() as conn:
        stored_feedback = conn.scalar(sa.text("select count(*) from feedback"))
        stored_messages = conn.scalar(sa.text("select count(*) from messages"))
    lat = out["latency"]
    print(f"API load test: {CLIENTS} clients, {SECONDS:.0f} s window ({wall:.0f} s with drain)")
    print(f"  answers served        {len(lat)}  ({len(lat) / wall * 60:.1f}/min)")
    print(f"  HTTP statuses         {dict(out['status'])}")
    print(f"  errors                {len(out['errors'])}  {out['errors'][:3]}")
    print(
        f"  latency s             p50 {percentile(lat, 0.5):.1f}  p95 {percentile(lat, 0.95):.1f}"
        f"  p99 {percentile(lat, 0.99):.1f}  min {min(lat, default=0):.1f}"
    )
    if lat:
        print(f"  median latency        {statistics.median(lat):.1f} s")
    print(f"  queue waiting         max {max(out['waiting'], default=0)}")
    print(f"  server RSS MB         max {max(out['rss'], default=0):.0f}")
    print(f"  server alive after    {alive}")
    print(f"  feedback stored/ok    {stored_feedback}/{out['feedback_ok']}")
    print(f"  messages stored/ok    {stored_messages}/{out['messages_ok']}")


def main() -> None:
    home, env = demo_home("footnote-bench-api-")
    server, token, base, log = start_server(home, {**os.environ, **env})
    try:
        out, wall = load(server, base, token)
        alive = server.poll() is None
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    report(home, out, wall, alive)


if __name__ == "__main__":
    main()

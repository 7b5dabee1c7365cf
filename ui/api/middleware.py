"""API plumbing as plain ASGI middleware (safe with streaming): a request id and one JSON log
line per request (with answer latency), and a bound on request bodies."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

log = logging.getLogger("footnote.api")


def log_event(event: str, **fields) -> None:
    """One JSON line on the API log."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    log.info(json.dumps({"time": round(time.time(), 3), "event": event, **fields}))


class RequestLog:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        started, status = time.perf_counter(), {"code": 500}

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            state = scope.get("state") or {}
            answer = state.get("answer")
            fields = {
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "status": status["code"],
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "key": state.get("key_id", ""),
            }
            if answer is not None:
                fields.update(
                    answer_id=answer.id,
                    answer_status=answer.status,
                    answer_s=round(answer.timings.get("total_s", 0.0), 3),
                )
            log_event("request", **fields)


class BodyLimit:
    """413 for bodies over the limit (uploads get a larger one)."""

    def __init__(self, app, json_limit: int, upload_limit: int):
        self.app, self.json_limit, self.upload_limit = app, json_limit, upload_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.upload_limit if scope["path"].endswith("/uploads") else self.json_limit
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await _too_large(send, limit)
        seen = 0

        async def bounded_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # a chunked body that grew too large: stop reading it
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, bounded_receive, send)


async def _too_large(send, limit: int) -> None:
    body = json.dumps(
        {"error": {"type": "TooLarge", "message": f"request body over {limit:,} bytes"}}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""What the HTTP API needs from the settings (built by the composition root)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiOptions:
    queue: int  # questions waiting for the generator before 503
    queue_timeout: float  # seconds a question may wait for the generator before 503
    max_collections: int  # most collections named in one request
    max_upload_bytes: int  # largest uploaded file
    concurrency: int  # questions the generator answers at once

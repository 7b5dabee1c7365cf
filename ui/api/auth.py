"""Who may call: API keys (the `Authorization: Bearer` or `X-API-Key` header), their role, the
collections they are scoped to, and a rate limit per key."""

import hmac
import threading
import time
from typing import Annotated

from fastapi import Depends, Request

from rag.errors import FootnoteError
from rag.storage.keys import Key, KeyStore

LOCAL = Key("local", "footnote on this machine", "admin", (), 10**6, everything=True)


class Forbidden(FootnoteError):
    """The key may not do this (wrong role or a collection outside its scope)."""


class RateLimited(FootnoteError):
    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after + 0.999))


class RateLimits:
    """A token bucket per key: `rate_per_minute` requests, refilled continuously."""

    def __init__(self):
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, last time)
        self._lock = threading.Lock()

    def take(self, key: Key) -> float:
        """0 if the request may go ahead, else the seconds until it may (for Retry-After)."""
        rate = key.rate_per_minute / 60.0
        with self._lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(key.id, (float(key.rate_per_minute), now))
            tokens = min(float(key.rate_per_minute), tokens + (now - last) * rate)
            if tokens >= 1:
                self._buckets[key.id] = (tokens - 1, now)
                return 0.0
            self._buckets[key.id] = (tokens, now)
            return (1 - tokens) / rate


class Guard:
    """FastAPI dependencies: `Asker` (any valid key), `Admin` (an admin key); `scope` checks
    the collections a request names against the key's."""

    def __init__(self, keys: KeyStore, max_collections: int, local_token: str = ""):
        """`local_token`: the secret `footnote serve` leaves in the home for the command line of
        the same machine (ui.api.local); it may use every collection."""
        self.keys, self.limits, self.max_collections = keys, RateLimits(), max_collections
        self.local_token = local_token

        def asker(request: Request) -> Key:
            return self.key_of(request)

        def admin(key: Annotated[Key, Depends(asker)]) -> Key:
            if not key.admin:
                raise Forbidden("this key may only ask; an admin key is needed")
            return key

        self.Asker = Annotated[Key, Depends(asker)]
        self.Admin = Annotated[Key, Depends(admin)]

    def key_of(self, request: Request) -> Key:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() or request.headers.get("x-api-key", "")
        if self.local_token and hmac.compare_digest(token, self.local_token):
            request.state.key_id = LOCAL.id
            return LOCAL
        key = self.keys.authenticate(token)
        request.state.key_id = key.id
        wait = self.limits.take(key)
        if wait:
            raise RateLimited(
                f"rate limit of {key.rate_per_minute} requests per minute reached", wait
            )
        return key

    def scope(self, key: Key, requested: list[str]) -> list[str]:
        """The collections a request may search: those it names (all of them the key's), or
        all of the key's when it names none."""
        if len(requested) > self.max_collections:
            raise FootnoteError(
                f"{len(requested)} collections named; at most {self.max_collections}"
            )
        if key.everything:
            return list(requested)  # none named: no collection filter
        outside = sorted(set(requested) - set(key.collections))
        if outside:
            raise Forbidden(f"collections {outside} are not available to this key")
        return list(requested) or list(key.collections)

"""A generator on any OpenAI-compatible chat-completions server: vLLM, Ollama, llama.cpp's server,
LM Studio, hosted APIs, through the `openai` SDK (loaded only for this backend). 429 and 5xx
answers and unreachable servers are tried again before the first token under the retry policy
shared with the crawler (rag.retrying: Retry-After honoured); every failure becomes one line
that names the fix."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

from rag.errors import ModelError
from rag.retrying import RETRY_STATUS, RetryableStatus, RetryPolicy, retry_after

MAX_RETRY_AFTER = 60.0  # seconds; a server asking for a longer wait fails the question at once


class OpenAIGenerator:
    """Chat completions from `base_url` (e.g. http://127.0.0.1:8000/v1) with `model`."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 120.0,
        retries: int = 3,
    ):
        self.base_url, self.model, self.api_key = base_url.rstrip("/"), model, api_key
        self.timeout, self.retries = timeout, retries
        self.name = f"{model} at {self.base_url}"
        self.policy = RetryPolicy(retries, backoff=1.0, max_retry_after=MAX_RETRY_AFTER)
        self._client = None

    @property
    def client(self):
        """The SDK's client; its own retries are off (the shared policy retries)."""
        if self._client is None:
            import openai  # about a second to import: only for this backend

            self._client = openai.OpenAI(
                base_url=self.base_url,
                api_key=self.api_key or "unused",  # the SDK needs one; keyless servers ignore it
                timeout=self.timeout,
                max_retries=0,
            )
        return self._client

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        import openai

        chunks = self._open(
            lambda: self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=0.0,
                stream=True,
            )
        )
        finished, pieces = False, 0
        try:
            for chunk in chunks:
                choice = chunk.choices[0] if chunk.choices else None
                if choice is None:
                    continue
                piece = choice.delta.content if choice.delta else None
                if piece:
                    pieces += 1
                    yield piece
                if choice.finish_reason:
                    finished = True
        except (openai.APIError, json.JSONDecodeError) as exc:
            raise ModelError(
                f"the answer stream from {self.name} broke off after {pieces} pieces "
                f"({type(exc).__name__}); ask again"
            ) from None
        finally:
            chunks.close()  # an abandoned answer stops the server's stream now
        if not finished:  # the protocol ends an answer with a finish_reason
            raise ModelError(
                f"the answer stream from {self.name} was cut off after {pieces} pieces; ask again"
            )

    def yes_no(self, messages: list[dict[str, str]]) -> tuple[float, float]:
        """P("yes") and P("no") for the first token of the reply, from the server's
        log-probabilities of its most likely first tokens (all casings, leading spaces)."""
        reply = self._open(
            lambda: self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=1,
                temperature=0.0,
                logprobs=True,
                top_logprobs=20,
            )
        )
        try:
            first = reply.choices[0].logprobs.content[0].top_logprobs
        except (AttributeError, IndexError, TypeError):
            first = None
        if not first:
            raise ModelError(
                f"{self.name} returned no log-probabilities; the judge needs a server that "
                "supports logprobs/top_logprobs"
            )
        yes = sum(math.exp(t.logprob) for t in first if t.token.strip().lower() == "yes")
        no = sum(math.exp(t.logprob) for t in first if t.token.strip().lower() == "no")
        return yes, no

    def warm_up(self) -> None:
        """Check that the server answers and accepts the key (GET /models)."""
        import openai

        try:
            self.client.models.list()
        except openai.APIConnectionError as exc:
            raise self._unreachable(exc) from None
        except openai.APIStatusError as exc:
            if exc.status_code in (401, 403):
                raise self._refused(exc.status_code) from None

    def _open(self, request: Callable[[], Any]):
        """The result of a request that the server accepted, after retries; ModelError else."""
        import openai

        def attempt():
            try:
                return request()
            except openai.APIStatusError as exc:
                if exc.status_code not in RETRY_STATUS:
                    raise
                asked = retry_after(exc.response.headers.get("retry-after"))
                raise RetryableStatus(exc.status_code, asked, exc) from None

        try:
            return self.policy.run(attempt, (openai.APIConnectionError,))
        except RetryableStatus as exc:
            if self.policy.too_long(exc):
                raise ModelError(
                    f"{self.name} is busy (HTTP {exc.status}) and asks to wait "
                    f"{exc.retry_after:.0f} s; ask again later"
                ) from None
            raise self._http_error(exc.detail) from None
        except openai.APIConnectionError as exc:
            raise self._unreachable(exc) from None
        except openai.APIStatusError as exc:
            raise self._http_error(exc) from None

    def _unreachable(self, exc: Exception) -> ModelError:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return ModelError(f"{self.name} did not answer within {self.timeout:g} s")
        return ModelError(
            f"cannot reach the OpenAI-compatible server at {self.base_url} "
            f"({type(exc.__cause__ or exc).__name__}); is it running? check openai_base_url"
        )

    def _refused(self, status: int) -> ModelError:
        return ModelError(
            f"{self.base_url} refused the API key (HTTP {status}); set the key in the "
            "environment variable that openai_api_key_env names"
        )

    def _http_error(self, exc) -> ModelError:
        status, message = exc.status_code, _message(exc)
        lowered = message.lower()
        if status in (401, 403):
            return self._refused(status)
        if "context" in lowered or "too long" in lowered or "exceed" in lowered:
            return ModelError(
                f"the prompt is longer than {self.model}'s context ({message}); "
                "lower top_k or prompt_chars"
            )
        if "model" in lowered and status in (400, 404):
            return ModelError(
                f"{self.base_url} has no model {self.model!r} ({message}); check openai_model "
                f"(GET {self.base_url}/models lists them)"
            )
        if status == 404:
            return ModelError(
                f"{self.base_url}/chat/completions does not exist (HTTP 404); check "
                "openai_base_url (it usually ends in /v1)"
            )
        return ModelError(f"{self.name} answered HTTP {status}: {message}")


def _message(exc) -> str:
    """The server's own words from an SDK status error: its error message, else the body."""
    body = exc.body
    if isinstance(body, dict):
        return str(body.get("message", body))[:300]
    return str(body)[:300] if body else exc.response.text[:300]

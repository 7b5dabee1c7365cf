"""A generator on any OpenAI-compatible chat-completions server: vLLM, Ollama, llama.cpp's server,
LM Studio, hosted APIs. Streams, retries 429 and 5xx with backoff (honouring Retry-After) before
the first token, and turns every failure into one line that names the fix."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator

import httpx

from rag.errors import ModelError

RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0


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

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
        }
        with httpx.Client(timeout=self.timeout) as client:
            response = self._open(client, body)
            try:
                yield from self._pieces(response)
            finally:
                response.close()  # an abandoned answer stops the server's stream now

    def yes_no(self, messages: list[dict[str, str]]) -> tuple[float, float]:
        """P("yes") and P("no") for the first token of the reply, from the server's
        log-probabilities of its most likely first tokens (all casings, leading spaces)."""
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": 1,
            "temperature": 0.0,
            "logprobs": True,
            "top_logprobs": 20,
        }
        with httpx.Client(timeout=self.timeout) as client:
            response = self._open(client, body)
            try:
                reply = json.loads(response.read())
            finally:
                response.close()
        try:
            first = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        except (KeyError, IndexError, TypeError):
            raise ModelError(
                f"{self.name} returned no log-probabilities; the judge needs a server that "
                "supports logprobs/top_logprobs"
            ) from None
        yes = sum(math.exp(t["logprob"]) for t in first if t["token"].strip().lower() == "yes")
        no = sum(math.exp(t["logprob"]) for t in first if t["token"].strip().lower() == "no")
        return yes, no

    def warm_up(self) -> None:
        """Check that the server answers and knows the model (GET /models)."""
        with httpx.Client(timeout=self.timeout) as client:
            try:
                response = client.get(f"{self.base_url}/models", headers=self._headers())
            except httpx.HTTPError as exc:
                raise self._unreachable(exc) from None
        if response.status_code in (401, 403):
            raise self._refused(response.status_code)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _open(self, client: httpx.Client, body: dict):
        """The streamed response of a successful request, after retries; ModelError else."""
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.retries + 1):
            request = client.build_request("POST", url, json=body, headers=self._headers())
            try:
                response = client.send(request, stream=True)
            except httpx.HTTPError as exc:
                if attempt < self.retries and isinstance(exc, httpx.TransportError):
                    time.sleep(min(2**attempt, 8))
                    continue
                raise self._unreachable(exc) from None
            if response.status_code < 400:
                return response
            response.read()
            response.close()
            if response.status_code in RETRY_STATUS and attempt < self.retries:
                time.sleep(_retry_after(response, attempt))
                continue
            raise self._http_error(response)
        raise ModelError(f"{self.name}: no answer after {self.retries + 1} attempts")

    def _pieces(self, response: httpx.Response) -> Iterator[str]:
        """The content pieces of a server-sent event stream; a stream that ends before the
        server said it was done raises (what was shown stays, the answer is not finished)."""
        finished, pieces = False, 0
        try:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    finished = True
                    break
                choice = (json.loads(data).get("choices") or [{}])[0]
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    pieces += 1
                    yield piece
                if choice.get("finish_reason"):
                    finished = True
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            raise ModelError(
                f"the answer stream from {self.name} broke off after {pieces} pieces "
                f"({type(exc).__name__}); ask again"
            ) from None
        if not finished:
            raise ModelError(
                f"the answer stream from {self.name} was cut off after {pieces} pieces; ask again"
            )

    def _unreachable(self, exc: httpx.HTTPError) -> ModelError:
        if isinstance(exc, httpx.TimeoutException):
            return ModelError(f"{self.name} did not answer within {self.timeout:g} s")
        return ModelError(
            f"cannot reach the OpenAI-compatible server at {self.base_url} "
            f"({type(exc).__name__}); is it running? check openai_base_url"
        )

    def _refused(self, status: int) -> ModelError:
        return ModelError(
            f"{self.base_url} refused the API key (HTTP {status}); set the key in the "
            "environment variable that openai_api_key_env names"
        )

    def _http_error(self, response: httpx.Response) -> ModelError:
        status, message = response.status_code, _message(response)
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


def _message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
        return str(error.get("message", error) if isinstance(error, dict) else error)[:300]
    except (ValueError, AttributeError):
        return response.text[:300]


def _retry_after(response: httpx.Response, attempt: int) -> float:
    value = response.headers.get("retry-after", "")
    try:
        return min(float(value), MAX_RETRY_AFTER)
    except ValueError:
        return min(2**attempt, 8)

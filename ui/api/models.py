"""Request bodies of the HTTP API (they make the OpenAPI schema; answers are
`rag.serialise.AnswerJSON`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rag.dates import iso_date


class AskOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_prefix: str = Field(
        "", max_length=2000, description="only documents whose URL starts so"
    )
    since: str = Field(
        "",
        max_length=10,
        description="only documents dated on or after YYYY-MM-DD (or YYYY-MM, YYYY); "
        "documents without a date are left out",
    )
    until: str = Field("", max_length=10, description="only documents dated on or before")

    @field_validator("since", "until")
    @classmethod
    def _a_real_date(cls, value: str) -> str:
        return iso_date(value) if value else value


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="the question (length limited by max_question_chars)")
    collections: list[str] = Field(
        default_factory=list, description="collections to search; empty = all of the key's"
    )
    options: AskOptions = Field(default_factory=AskOptions)
    stream: bool = Field(False, description="answer as server-sent events, sentence by sentence")


class ConversationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    collections: list[str] = Field(default_factory=list)


class MessageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    stream: bool = False


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(..., max_length=64)
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=5000)


class CollectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)


class CrawlRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., max_length=2000)
    prefix: str = Field("", max_length=2000)
    max_pages: int | None = Field(None, ge=1, le=1_000_000)
    max_depth: int | None = Field(None, ge=0, le=100)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # SDKs send fields Footnote does not use
    model: str = "footnote"
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=100)
    stream: bool = False
    collections: list[str] = Field(default_factory=list)

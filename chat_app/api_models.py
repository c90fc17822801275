"""Request bodies of the HTTP API, each field typed and length-capped so bad input is a 400/422 with a
Chinese message before any route runs (the lone-surrogate check is marked so it becomes a 400, not a 422).
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, Strict, StringConstraints

INVALID_TEXT = "INVALID_TEXT"  # marks the validation error that becomes a 400 (not a 422)
INVALID_TEXT_DETAIL = "文本中含有无法识别的字符，请检查后重新输入。"
SESSION_ID_CHARS = 64
FEEDBACK_TEXT_CHARS = 4000
COMMENT_CHARS = 2000
ROLE_CHARS = 32
MODEL_NAME_CHARS = 100
MAX_TURN = 1_000_000
DOC_ID_CHARS = 48  # ingest/library.py's ID_RE
MAX_DOCS = 20  # documents one question may be scoped to


def encodable(text: str) -> str:
    """A lone surrogate ("\ud800") passes JSON but breaks every later UTF-8 write (SQLite, the response)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(INVALID_TEXT) from None
    return text


def Text(max_chars: int | None = None):  # noqa: N802 - a type factory, read like a type
    return Annotated[str, Strict(), StringConstraints(max_length=max_chars), AfterValidator(encodable)]


class Scoped(BaseModel):
    """The documents a question is asked of (ids from GET /api/docs); neither field: all documents."""

    doc: Text(DOC_ID_CHARS) | None = None
    docs: list[Text(DOC_ID_CHARS)] | None = Field(None, max_length=MAX_DOCS)

    def scope(self) -> list[str] | None:
        ids = list(self.docs or ()) + ([self.doc] if self.doc else [])
        return ids or None


class AskRequest(Scoped):
    question: Text()
    session_id: Text(SESSION_ID_CHARS) | None = None


class FeedbackRequest(BaseModel):
    rating: Literal[1, -1]
    session_id: Text(SESSION_ID_CHARS) | None = None
    turn: int | None = Field(None, ge=0, le=MAX_TURN)
    question: Text(FEEDBACK_TEXT_CHARS) = ""
    answer: Text(FEEDBACK_TEXT_CHARS) = ""
    comment: Text(COMMENT_CHARS) = ""


class ChatMessage(BaseModel):
    role: Text(ROLE_CHARS)
    content: Text()


class ChatCompletionRequest(Scoped):
    model: Text(MODEL_NAME_CHARS) = "plan-assistant"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    user: Text(SESSION_ID_CHARS) | None = None

"""All configuration comes from environment variables (PLAN_ASSISTANT_*); defaults run offline."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from retriever.embeddings import DEFAULT_SPEC
from retriever.factory import RetrieverSet, build_retrievers, default_index_dir


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"PLAN_ASSISTANT_{name}", default).strip()


def _float(name: str, default: float) -> float:
    try:
        return float(_env(name, str(default)))
    except ValueError:
        return default


TRUE_WORDS = ("1", "true", "yes", "on")


def _list(name: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in _env(name).split(",") if x.strip())


def _db_path() -> Path:
    """History and feedback live in the user's data directory, not wherever the command ran."""
    if _env("DB_PATH"):
        return Path(_env("DB_PATH"))
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "plan-assistant" / "plan-assistant.sqlite3"


def _library_dir() -> Path:
    """Added plan documents (ingest/library.py) live beside the history database."""
    if _env("LIBRARY_DIR"):
        return Path(_env("LIBRARY_DIR"))
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "plan-assistant" / "library"


@dataclass(frozen=True)
class Settings:
    embedding: str = DEFAULT_SPEC
    index_dir: Path = field(default_factory=default_index_dir)
    retriever: str = "hybrid"
    answerer: str = "extractive"  # extractive | openai | llama
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 20.0
    gguf_path: str = ""
    gguf_threads: int = field(default_factory=lambda: os.cpu_count() or 2)
    gguf_ctx: int = 2048
    gguf_chat_format: str = ""  # "" = the template inside the GGUF file (llama.cpp's fallback otherwise)
    llm_max_tokens: int = 300
    llm_max_concurrent: int = 4  # model calls at once; more wait for none and answer extractively
    max_question_chars: int = 500
    max_body_bytes: int = 16384
    rate_limit_per_minute: int = 60
    api_keys: tuple[str, ...] = ()
    widget_secret: str = ""  # signs /embed's widget tokens; "" = random per process (set it for several workers)
    allowed_origins: tuple[str, ...] = ("*",)
    trusted_proxies: tuple[str, ...] = ()  # X-Forwarded-For is believed only from these addresses
    db_path: Path = field(default_factory=lambda: _db_path())
    retention_days: float = 30.0  # conversation turns older than this are purged; 0 = keep forever
    log_queries: bool = False  # keep query strings (which carry questions) in the access log
    library_dir: Path = field(default_factory=lambda: _library_dir())
    database_url: str = ""  # PostgreSQL for sessions, feedback, shared limits (and retrieval); "" = SQLite

    @classmethod
    def from_env(cls) -> "Settings":
        """Each default lives once, in the fields above; the environment only overrides."""
        d = cls()
        return cls(
            embedding=_env("EMBEDDING", d.embedding),
            index_dir=Path(_env("INDEX_DIR")) if _env("INDEX_DIR") else d.index_dir,
            retriever=_env("RETRIEVER", d.retriever),
            answerer=_env("ANSWERER", d.answerer),
            llm_base_url=_env("LLM_BASE_URL", d.llm_base_url),
            llm_model=_env("LLM_MODEL", d.llm_model),
            llm_api_key=_env("LLM_API_KEY", d.llm_api_key),
            llm_timeout=_float("LLM_TIMEOUT", d.llm_timeout),
            gguf_path=_env("GGUF_PATH", d.gguf_path),
            gguf_threads=int(_float("GGUF_THREADS", d.gguf_threads)),
            gguf_ctx=int(_float("GGUF_CTX", d.gguf_ctx)),
            gguf_chat_format=_env("GGUF_CHAT_FORMAT", d.gguf_chat_format),
            llm_max_tokens=int(_float("LLM_MAX_TOKENS", d.llm_max_tokens)),
            llm_max_concurrent=int(_float("LLM_MAX_CONCURRENT", d.llm_max_concurrent)),
            max_question_chars=int(_float("MAX_QUESTION_CHARS", d.max_question_chars)),
            max_body_bytes=int(_float("MAX_BODY_BYTES", d.max_body_bytes)),
            rate_limit_per_minute=int(_float("RATE_LIMIT", d.rate_limit_per_minute)),
            api_keys=_list("API_KEYS") or d.api_keys,
            widget_secret=_env("WIDGET_SECRET", d.widget_secret),
            allowed_origins=_list("ALLOWED_ORIGINS") or d.allowed_origins,
            trusted_proxies=_list("TRUSTED_PROXIES") or d.trusted_proxies,
            db_path=d.db_path,
            retention_days=max(0.0, _float("RETENTION_DAYS", d.retention_days)),
            log_queries=_env("LOG_QUERIES", "1" if d.log_queries else "0").lower() in TRUE_WORDS,
            library_dir=d.library_dir,
            database_url=_env("DATABASE_URL", d.database_url),
        )


def load_retrievers(settings: Settings | None = None, progress: bool = False) -> RetrieverSet:
    """The configured retrievers over the bundled chunks (index reused from the cache)."""
    from ingest.store import read_chunks

    s = settings or Settings.from_env()
    return build_retrievers(read_chunks(), embedding=s.embedding, index_dir=s.index_dir, progress=progress)

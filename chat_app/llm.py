"""LLM answerers: any OpenAI-compatible endpoint (langchain-openai, here) or a local GGUF file
(``chat_app.gguf``). Both sit behind the same deadline and checks (``chat_app.llm_base``) and fall back to the
extractive answer when the model is unreachable, slow, uncited or invents a number; prompts are in
``chat_app.prompts``. This module picks the answerer the settings name.
"""
from __future__ import annotations

from collections.abc import Iterator

from chat_app.config import Settings
from chat_app.gguf import GGUF_BACKENDS, CyllamaAnswerer, LlamaAnswerer, gguf_backend
from chat_app.llm_base import LLMAnswerer, degenerate
from chat_app.prompts import CONDENSE_PROMPT, SYSTEM_PROMPT, messages_for

__all__ = ["CONDENSE_PROMPT", "GGUF_BACKENDS", "SYSTEM_PROMPT", "CyllamaAnswerer", "LLMAnswerer", "LlamaAnswerer",
           "OpenAIAnswerer", "degenerate", "make_llm_answerer", "messages_for"]


class OpenAIAnswerer(LLMAnswerer):
    mode = "openai"

    def __init__(self, base_url: str, model: str, api_key: str, timeout: float, max_tokens: int = 300,
                 max_concurrent: int = 4) -> None:
        from langchain_openai import ChatOpenAI

        self.deadline, self.max_concurrent = timeout, max_concurrent
        self.chat = ChatOpenAI(base_url=base_url or None, model=model or "default", api_key=api_key or "none",
                               timeout=timeout, max_retries=0, temperature=0, max_tokens=max_tokens)

    def complete(self, messages: list[dict]) -> str:
        return str(self.chat.invoke([(m["role"], m["content"]) for m in messages]).content)

    def stream_tokens(self, messages: list[dict]) -> Iterator[str]:
        for chunk in self.chat.stream([(m["role"], m["content"]) for m in messages]):
            if chunk.content:
                yield str(chunk.content)


def make_llm_answerer(settings: Settings) -> LLMAnswerer | None:
    if settings.answerer == "openai":
        return OpenAIAnswerer(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout,
                              settings.llm_max_tokens, settings.llm_max_concurrent)
    if settings.answerer == "llama":
        if not settings.gguf_path:
            raise ValueError("使用本地模型需要设置 PLAN_ASSISTANT_GGUF_PATH")
        return gguf_backend()(settings.gguf_path, n_ctx=settings.gguf_ctx, n_threads=settings.gguf_threads,
                             max_tokens=settings.llm_max_tokens, chat_format=settings.gguf_chat_format,
                             timeout=settings.llm_timeout)
    if settings.answerer != "extractive":
        raise ValueError(f"未知的回答方式：{settings.answerer}（可用：extractive、openai、llama）")
    return None

"""Local GGUF answerers for intranets without a GPU: llama-cpp-python (built from source, preferred when
installed) or cyllama's prebuilt CPU wheel (the ``gguf`` extra). Both run behind ``LLMAnswerer``'s deadline
and checks; only loading the model and producing the reply's pieces differ.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

from chat_app.llm_base import LLMAnswerer
from chat_app.prompts import CHAT_FORMATS


class LlamaAnswerer(LLMAnswerer):
    """In-process GGUF model for intranets without GPU (optional extra: llama-cpp-python).

    One model object is not thread-safe and the API serves requests from a thread pool,
    so calls are serialised; generation stops at the time-out and the extractive answer is used.
    Subclasses swap the engine (``_load`` and ``_pieces``); the prompt, limits and deadline stay here.
    """

    mode = "llama"
    backend = "llama-cpp-python"
    n_sources = 3  # small context windows
    system_in_user = True

    def __init__(self, path: str, n_ctx: int = 2048, n_threads: int = 2, max_tokens: int = 300,
                 chat_format: str = "", timeout: float = 20.0) -> None:
        self.max_tokens = max_tokens
        self.temperature = 0.0  # greedy: the same sources give the same reply, and the guards judge it once
        self.timeout = self.deadline = timeout
        self.max_concurrent = 1  # one model object: calls are serialised anyway
        self._lock = threading.Lock()
        self._load(path, n_ctx, n_threads, chat_format)

    def _load(self, path: str, n_ctx: int, n_threads: int, chat_format: str) -> None:
        from llama_cpp import Llama

        self.llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, verbose=False,
                         chat_format=chat_format or None)

    def _pieces(self, messages: list[dict], deadline: float) -> Iterator[str]:
        """The reply as it is generated (the caller checks the deadline after each piece)."""
        for part in self.llm.create_chat_completion(messages=messages, max_tokens=self.max_tokens,
                                                    temperature=self.temperature, stream=True):
            delta = part["choices"][0].get("delta", {}).get("content")
            if delta:
                yield delta

    def complete(self, messages: list[dict]) -> str:
        return "".join(self.stream_tokens(messages))

    def stream_tokens(self, messages: list[dict]) -> Iterator[str]:
        if not self._lock.acquire(timeout=self.timeout):
            raise TimeoutError("local model busy")
        try:
            deadline = time.monotonic() + self.timeout
            pieces = self._pieces(messages, deadline)
            try:
                for delta in pieces:
                    yield delta
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"local model slower than {self.timeout:g} s")
            finally:
                pieces.close()  # the engine's own generator lets go of its context before the lock is freed
            if time.monotonic() > deadline:  # an engine that stopped early because it was cancelled
                raise TimeoutError(f"local model slower than {self.timeout:g} s")
        finally:
            self._lock.release()


class CyllamaAnswerer(LlamaAnswerer):
    """The same local-GGUF answerer on cyllama: a prebuilt CPU llama.cpp wheel (no compiler, no SIGILL
    from a native build), so CI installs it in seconds instead of building llama-cpp-python.

    The prompt is built as llama-cpp-python builds it (the chat format named in the settings, else the
    GGUF's own template, else ``llama-2``). A timer cancels generation at the deadline, which also aborts
    a long prompt evaluation, so a timed-out call frees the model within moments rather than at its end.
    """

    backend = "cyllama"

    def _load(self, path: str, n_ctx: int, n_threads: int, chat_format: str) -> None:
        from cyllama import GenerationConfig

        if chat_format and chat_format not in CHAT_FORMATS:
            raise ValueError(f"cyllama 不支持对话格式 {chat_format}（可用：{'、'.join(CHAT_FORMATS)}，或留空用模型自带模板）")
        self.chat_format = chat_format
        self.config = GenerationConfig(max_tokens=self.max_tokens, temperature=self.temperature, n_ctx=n_ctx,
                                       repeat_penalty=1.0)
        self.llm = _threaded_llm(path, self.config, n_threads)
        self.own_template = bool(self.llm.get_chat_template())

    def named_prompt(self, messages: Sequence[dict]) -> tuple[str, tuple[str, ...]] | None:
        """(prompt, stop strings) for a named format, or for a GGUF without a template (``llama-2``, as
        llama-cpp-python falls back); None when the GGUF's own template applies."""
        if self.chat_format or not self.own_template:
            build, stop = CHAT_FORMATS[self.chat_format or "llama-2"]
            return build(messages), stop
        return None

    def _pieces(self, messages: list[dict], deadline: float) -> Iterator[str]:
        named = self.named_prompt(messages)
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), self.llm.cancel)
        timer.daemon = True
        timer.start()
        try:
            if named is not None:  # the tokenizer adds BOS, as llama-cpp-python does for these formats
                text, stop = named
                yield from self.llm(text, config=replace(self.config, stop_sequences=list(stop)), stream=True)
            else:  # the GGUF's Jinja template renders its own BOS; llama-cpp-python then adds none either
                yield from self.llm.chat(messages, config=replace(self.config, add_bos=False), stream=True)
        finally:
            timer.cancel()


def _threaded_llm(path: str, config, n_threads: int):
    """A cyllama ``LLM`` whose context uses ``n_threads``. ``LLM`` creates its context with llama.cpp's
    default thread count (4); changing it afterwards (``set_n_threads``) made generation 6–20× slower on
    two shared cores, while a context created with the right count is the fastest measured. The context is
    made once at ``config.n_ctx`` and then only reused (``LLM`` clears its KV cache before each call)."""
    from cyllama import LLM
    from cyllama.llama.llama_cpp import LlamaContext, LlamaContextParams

    class ThreadedLLM(LLM):
        def _ensure_context(self, prompt_length: int, config):  # noqa: ANN001 - cyllama's signature
            if self._ctx is None:
                params = LlamaContextParams()
                params.n_ctx, params.n_batch = config.n_ctx, config.n_batch
                params.n_threads = params.n_threads_batch = n_threads
                params.no_perf = True
                ctx = LlamaContext(self.model, params)
                ctx.install_cancel_callback()  # cancel() aborts a running decode too
                self._ctx, self._ctx_size = ctx, config.n_ctx
            return super()._ensure_context(prompt_length, config)

    return ThreadedLLM(path, config=config, verbose=False)


GGUF_BACKENDS: dict[str, type[LlamaAnswerer]] = {"llama-cpp-python": LlamaAnswerer, "cyllama": CyllamaAnswerer}
GGUF_MODULES = {"llama-cpp-python": "llama_cpp", "cyllama": "cyllama"}


def gguf_backend() -> type[LlamaAnswerer]:
    """llama-cpp-python when it is installed (it was first, and may be built for this exact CPU), else
    cyllama (the ``gguf`` extra); neither → a Chinese message naming both installs."""
    import importlib.util

    for name, module in GGUF_MODULES.items():
        if importlib.util.find_spec(module) is not None:
            return GGUF_BACKENDS[name]
    raise ValueError('使用本地模型需要安装 cyllama（pip install -e ".[gguf]"）或 llama-cpp-python（pip install -e ".[llama]"）')

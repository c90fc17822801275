"""Checksums for the persisted index: a sha256 and size per file, kept in the index's manifest.json.

The dense retriever's loader trusts whatever files it finds; a file cut short by a full disk or a killed
copy would either crash the load (faiss raises on a truncated index) or, worse, load wrong vectors. The
manifest is sealed after every build; before a load the files are checked against it.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"
FILES_KEY = "files"  # {"index.faiss": {"sha256": ..., "bytes": ...}, ...}
READ_BLOCK = 1 << 20
# The files retriever.dense writes on a build. Other caches may share the folder (and be rewritten
# independently), so only these are sealed.
INDEX_FILES = ("heading_vectors.npy", "index.faiss", "vectors.npy", "sentence_vectors.npy", "sentences.json")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(READ_BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(folder: Path) -> dict | None:
    """The manifest, or None when it is missing or not a JSON object."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_manifest(folder: Path, manifest: dict) -> None:
    """Written beside and renamed over, so a crash never leaves half a manifest."""
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def seal(folder: Path) -> dict:
    """Record a sha256 and size for each of INDEX_FILES beside the manifest; returns the new manifest."""
    manifest = read_manifest(folder)
    if manifest is None:
        raise FileNotFoundError(folder / MANIFEST)
    files = [folder / name for name in INDEX_FILES if (folder / name).is_file()]
    manifest[FILES_KEY] = {p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size} for p in files}
    write_manifest(folder, manifest)
    return manifest


@dataclass
class Verdict:
    """``exists``: there is an index here at all; ``sealed``: its manifest lists checksums."""

    exists: bool
    sealed: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exists and not self.problems


def file_problem(path: Path, want: dict) -> str | None:
    """One English line naming the file, or None when it matches the manifest."""
    if not path.is_file():
        return f"missing file {path}"
    size = path.stat().st_size
    if size != want.get("bytes"):
        return f"wrong size {path} ({size} bytes, manifest says {want.get('bytes')})"
    if sha256_file(path) != want.get("sha256"):
        return f"checksum mismatch {path}"
    return None


def verify(folder: Path) -> Verdict:
    """Check every file the manifest lists; an unsealed manifest (built before checksums) is not a problem
    here, the caller checks such an index by loading it."""
    if not folder.is_dir() or not any(folder.iterdir()):
        return Verdict(exists=False)
    manifest = read_manifest(folder)
    if manifest is None:
        return Verdict(exists=True, problems=[f"missing or unreadable manifest {folder / MANIFEST}"])
    files = manifest.get(FILES_KEY)
    if not isinstance(files, dict) or not files:
        return Verdict(exists=True, sealed=False)
    problems = [p for name, want in sorted(files.items())
                if (p := file_problem(folder / name, want if isinstance(want, dict) else {}))]
    return Verdict(exists=True, sealed=True, problems=problems)

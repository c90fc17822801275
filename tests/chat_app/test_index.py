"""Index integrity on a copy of the real index in a tmp dir (the cache itself is never touched)."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import replace

import httpx
import pytest

from chat_app.config import Settings
from chat_app.index import index_folder, inspect
from ingest.integrity import FILES_KEY, MANIFEST, read_manifest, seal, verify
from tests.chat_app.net import free_port
from tests.chat_app.test_serve_cli import CLI, _env

REBUILD_SECONDS = 600


@pytest.fixture
def index_copy(tmp_path, retrievers):
    """(settings pointing at the copy, the copied model folder); the session fixture built the real one."""
    source = index_folder(Settings.from_env())
    settings = replace(Settings.from_env(), index_dir=tmp_path / "index")
    folder = index_folder(settings)
    shutil.copytree(source, folder)
    return settings, folder


def _truncate(path, keep: int = 1000) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def test_seal_records_a_checksum_per_file_and_verify_names_damage(index_copy):
    _, folder = index_copy
    files = seal(folder)[FILES_KEY]
    assert set(files) == {"index.faiss", "vectors.npy", "heading_vectors.npy", "sentence_vectors.npy", "sentences.json"}
    assert all(len(f["sha256"]) == 64 for f in files.values()) and verify(folder).ok
    data = bytearray((folder / "vectors.npy").read_bytes())
    data[-1] ^= 0xFF  # same size, other content
    (folder / "vectors.npy").write_bytes(bytes(data))
    _truncate(folder / "index.faiss")
    problems = verify(folder).problems
    assert problems == [f"wrong size {folder / 'index.faiss'} (1000 bytes, manifest says {files['index.faiss']['bytes']})",
                        f"checksum mismatch {folder / 'vectors.npy'}"]
    (folder / "heading_vectors.npy").unlink()
    assert f"missing file {folder / 'heading_vectors.npy'}" in verify(folder).problems


def test_a_missing_manifest_is_a_problem_naming_it(index_copy):
    _, folder = index_copy
    (folder / MANIFEST).unlink()
    assert inspect(folder).problems == [f"missing or unreadable manifest {folder / MANIFEST}"]


def test_an_unsealed_index_is_checked_by_reading_it(index_copy):
    """Indexes built before checksums (like the cache here) are still caught when a file is cut short."""
    _, folder = index_copy
    manifest = read_manifest(folder)
    manifest.pop(FILES_KEY, None)
    (folder / MANIFEST).write_text(json.dumps(manifest))
    assert inspect(folder).ok
    _truncate(folder / "index.faiss")
    assert inspect(folder).problems == [f"{folder / 'index.faiss'}（无法读取）"]


@pytest.mark.e2e
def test_a_damaged_index_is_rebuilt_while_healthz_says_loading(index_copy, tmp_path):
    settings, folder = index_copy
    seal(folder)
    _truncate(folder / "index.faiss")
    port = free_port()
    env = _env(tmp_path, PLAN_ASSISTANT_INDEX_DIR=str(settings.index_dir))
    proc = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    statuses = []
    try:
        deadline = time.monotonic() + REBUILD_SECONDS
        while time.monotonic() < deadline and 200 not in statuses:
            try:
                statuses.append(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code)
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert statuses[0] == 503 and statuses[-1] == 200, out
    assert f"索引文件损坏或缺失：wrong size {folder / 'index.faiss'}" in out
    assert f"正在重建索引：{folder}" in out and "索引已重建并写入校验值" in out
    assert verify(folder).ok and verify(folder).sealed


def test_an_unwritable_index_dir_is_one_chinese_line_and_exit_2(tmp_path):
    (tmp_path / "a-file").write_text("")
    target = tmp_path / "a-file" / "index"
    r = subprocess.run([CLI, "ingest"], env=_env(tmp_path, PLAN_ASSISTANT_INDEX_DIR=str(target)),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"无法写入索引目录：{target}" in r.stderr and "路径中有同名的文件" in r.stderr

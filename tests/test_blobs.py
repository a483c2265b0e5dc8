"""The files a month's cache key reads (generator/site/blobs.py): by their git blob
ids, from git's index where it knows the file as it is on disk, else from the bytes,
computed as git computes them; checked against real git in a real repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from generator.site.blobs import BlobIds, blob_id, committed_ids

SHAPES = [b"", b"\n", b'{"id": "2606.00001"}\n' * 3, "中文标题\n".encode(), bytes(range(256))]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def git(folder: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    result = subprocess.run(
        ["git", "-C", str(folder), *args], input=stdin, capture_output=True, env=env, check=True
    )
    return result.stdout.decode().strip()


def repository(root: Path) -> Path:
    """A git repository whose data/ holds a day's records and metadata, committed."""
    data = root / "data"
    (data / "2026").mkdir(parents=True)
    for name, text in [("2026-06-18.jsonl", SHAPES[2]), ("2026-06-18.meta.json", b"{}\n")]:
        (data / "2026" / name).write_bytes(text)
    git(root, "init", "-q")
    git(root, "add", "data")
    git(root, "commit", "-q", "-m", "day")
    return data


@pytest.mark.parametrize("data", SHAPES)
def test_a_blob_id_is_gits(tmp_path: Path, data: bytes) -> None:
    assert blob_id(data) == git(tmp_path, "hash-object", "--stdin", stdin=data)


def test_committed_files_come_from_the_index_and_changed_ones_from_their_bytes(
    tmp_path: Path,
) -> None:
    data = repository(tmp_path)
    records, meta = data / "2026/2026-06-18.jsonl", data / "2026/2026-06-18.meta.json"
    index = committed_ids(data)
    assert index == {
        "2026/2026-06-18.jsonl": blob_id(records.read_bytes()),
        "2026/2026-06-18.meta.json": blob_id(meta.read_bytes()),
    }
    # Changed on disk, not committed; new and untracked; staged only; removed.
    records.write_bytes(records.read_bytes() + b'{"id": "2606.00002"}\n')
    new = data / "2026/2026-06-19.jsonl"
    new.write_bytes(SHAPES[3])
    staged = data / "2026/2026-06-19.meta.json"
    staged.write_bytes(b'{"llm": 1}\n')
    git(tmp_path, "add", str(staged))
    assert set(committed_ids(data)) == {"2026/2026-06-18.meta.json", "2026/2026-06-19.meta.json"}
    ids = BlobIds(data)
    for path in (records, new, staged, meta):
        assert ids.of(path) == blob_id(path.read_bytes()), path.name
    meta.unlink()
    assert BlobIds(data).of(meta) is None
    assert BlobIds(data).of(data / "2026/2026-06-20.jsonl") is None


def test_outside_git_every_id_is_read_and_the_same(tmp_path: Path) -> None:
    data = repository(tmp_path / "repo")
    inside = {p: BlobIds(data).of(p) for p in data.rglob("*") if p.is_file()}
    outside = tmp_path / "plain"
    for path in inside:
        target = outside / path.relative_to(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    assert committed_ids(outside) == {}
    ids = BlobIds(outside)
    assert {p: ids.of(outside / p.relative_to(data)) for p in inside} == inside


def test_without_git_on_the_path_the_files_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = repository(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert committed_ids(data) == {}
    path = data / "2026/2026-06-18.jsonl"
    assert BlobIds(data).of(path) == blob_id(path.read_bytes())


def test_another_repository_named_in_the_environment_is_not_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = repository(tmp_path / "ours")
    other = repository(tmp_path / "other")
    (other / "2026/2026-06-18.jsonl").write_bytes(b"other\n")
    git(other.parent, "commit", "-q", "-am", "other")
    monkeypatch.setenv("GIT_DIR", str(other.parent / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.parent))
    path = data / "2026/2026-06-18.jsonl"
    assert BlobIds(data).of(path) == blob_id(path.read_bytes())

"""The one cache helper: a file's result kept until the file changes; results kept on disk under a key."""

from __future__ import annotations

import os
import pickle
import shutil

import pandas as pd
import pytest

from nptsc_eval import paths
from nptsc_eval.caching import DiskCache, cached_by_file, copy_frame
from nptsc_eval.errors import DataValidationError
from nptsc_eval.tables import load_table


def _reader(reads: list[str]):
    @cached_by_file(maxsize=4, copy=copy_frame)
    def read(path):
        reads.append(path.name)
        return pd.read_csv(path)

    return read


def test_an_unchanged_file_is_read_once_and_a_changed_one_again(tmp_path):
    reads: list[str] = []
    read = _reader(reads)
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    assert read(path)["a"].tolist() == [1] and read(path)["a"].tolist() == [1]
    assert reads == ["t.csv"]
    path.write_text("a,b\n1,2\n3,4\n")  # longer
    assert read(path)["a"].tolist() == [1, 3]
    # same length, different content: noticed by the modification time
    stamp = path.stat().st_mtime_ns
    path.write_text("a,b\n5,6\n7,8\n")
    os.utime(path, ns=(stamp + 1_000_000, stamp + 1_000_000))
    assert read(path)["a"].tolist() == [5, 7]
    assert reads == ["t.csv"] * 3


def test_a_changed_returned_frame_does_not_change_the_next_one(tmp_path):
    reads: list[str] = []
    read = _reader(reads)
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    first = read(path)
    first.loc[0, "a"] = 99
    first["c"] = 0
    assert read(path).to_dict("list") == {"a": [1], "b": [2]}
    assert reads == ["t.csv"]


def test_a_raw_table_handed_out_can_be_changed_safely():
    first = load_table("projects")
    first.loc[:, "project"] = "changed"
    assert "changed" not in set(load_table("projects")["project"])


def test_a_broken_file_fails_every_time_and_is_read_again_once_fixed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("projects.csv", "projects.meta.yml"):
        shutil.copy(paths.RAW_DIR / name, raw / name)
    good = (raw / "projects.csv").read_text(encoding="utf-8")
    (raw / "projects.csv").write_text(good.replace(",1,", ",one,", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DataValidationError):
            load_table("projects", raw)
    (raw / "projects.csv").write_text(good, encoding="utf-8")
    assert len(load_table("projects", raw)) == len(load_table("projects"))


def test_the_disk_cache_keeps_an_entry_and_recomputes_a_damaged_one(tmp_path):
    store = DiskCache(tmp_path / "cache", "thing")
    assert store.load("k1") == (False, None)
    store.store("k1", {"value": [1, 2]})
    assert store.load("k1") == (True, {"value": [1, 2]})
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["thing-k1.pickle"]  # no temporary file left
    store.path("k1").write_bytes(pickle.dumps({"value": 1})[:5])  # cut short, as by a crash
    assert store.load("k1") == (False, None)
    store.store("k1", {"value": 3})
    assert store.load("k1") == (True, {"value": 3})


def test_the_disk_cache_survives_a_folder_it_cannot_write(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = DiskCache(blocker / "cache", "thing")
    store.store("k", 1)  # no error: the next run computes it again
    assert store.load("k") == (False, None)


def test_a_cached_reader_is_pickled_by_name_like_a_function():
    from nptsc_eval import tables

    assert pickle.loads(pickle.dumps(tables._load_cached)) is tables._load_cached
    assert tables._load_cached.__name__ == "_load_cached"


def test_the_bounds_cache_recomputes_a_damaged_entry_and_keeps_its_file_name(tmp_path, monkeypatch):
    from nptsc_eval.survey import bounds_cache

    monkeypatch.setenv(bounds_cache.CACHE_ENV, str(tmp_path / "cache"))
    calls: list[int] = []

    def compute():
        calls.append(1)
        return {"answer": 42}

    first = bounds_cache.cached(compute, {"frame": None}, {"what": "test"})
    assert (first["answer"], first["cache_hit"], len(calls)) == (42, False, 1)
    entry = tmp_path / "cache" / f"survey-bounds-{first['cache_key']}.pickle"
    entry.write_bytes(b"\x80\x05not a pickle")
    second = bounds_cache.cached(compute, {"frame": None}, {"what": "test"})
    assert (second["answer"], second["cache_hit"], len(calls)) == (42, False, 2)
    third = bounds_cache.cached(compute, {"frame": None}, {"what": "test"})
    assert (third["answer"], third["cache_hit"], third["cache_key"], len(calls)) == (42, True, first["cache_key"], 2)
    monkeypatch.setenv(bounds_cache.CACHE_ENV, "off")
    assert bounds_cache.cached(compute, {"frame": None}, {"what": "test"}) == {"answer": 42, "cache_hit": False,
                                                                                "cache_key": ""}

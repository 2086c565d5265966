"""The Python tools ML code reads the lake with, through ``lake://`` on the dev lake in the sandbox:
pandas writes and reads Parquet and CSV, pyarrow reads a hive-partitioned dataset, and Dask reads
a prefix of Parquet files in parallel on two worker processes, which re-create the filesystem
from its pickled options (the sandbox's endpoint and CA bundle travel in them, not in the
environment). A consumer that may only read is refused on write with the grant it lacks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dask.dataframe as dd
import pandas as pd
import pyarrow.dataset as ds
import pytest
from distributed import Client, LocalCluster, get_task_stream
from pyarrow.fs import FSSpecHandler, PyFileSystem

from lake.data import LakeFileSystem
from tests.data.filesystem_support import reader_options, storage_options, write_refused
from tests.data.support import DataLake

FILES = 8


@pytest.fixture(scope="module")
def cluster() -> Iterator[Client]:
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as local, \
            Client(local) as client:
        yield client


@pytest.fixture(scope="module")
def options(lake: DataLake) -> dict[str, Any]:
    return storage_options(lake)


def events(part: int) -> pd.DataFrame:
    """One file of a dataset: 50 rows, labels spread over three classes."""
    return pd.DataFrame({"label": [("lymphocyte", "monocyte", "neutrophil")[(part + i) % 3] for i in range(50)],
                         "cells": [part * 100 + i for i in range(50)]})


def test_pandas_writes_and_reads_parquet_and_csv(options: dict[str, Any], prefix: str):
    frame = events(1)
    frame.to_parquet(f"lake://processed/{prefix}frame.parquet", storage_options=options)
    frame.to_csv(f"lake://processed/{prefix}frame.csv", index=False, storage_options=options)
    pd.testing.assert_frame_equal(pd.read_parquet(f"lake://processed/{prefix}frame.parquet",
                                                  storage_options=options), frame)
    pd.testing.assert_frame_equal(pd.read_csv(f"lake://processed/{prefix}frame.csv", storage_options=options), frame)


def test_pyarrow_reads_a_hive_partitioned_dataset(options: dict[str, Any], prefix: str):
    for month in (1, 2):
        events(month).to_parquet(f"lake://curated/{prefix}cells/year=2026/month={month}/part.parquet",
                                 storage_options=options)
    filesystem = PyFileSystem(FSSpecHandler(LakeFileSystem(**options)))
    dataset = ds.dataset(f"curated/{prefix}cells", filesystem=filesystem, format="parquet", partitioning="hive")
    table = dataset.to_table(filter=ds.field("month") == 2)
    assert table.column_names == ["label", "cells", "year", "month"]
    assert (table.num_rows, set(table["year"].to_pylist()), sum(table["cells"].to_pylist())) == (
        50, {2026}, sum(events(2)["cells"]))


def test_dask_reads_a_prefix_on_two_worker_processes(cluster: Client, options: dict[str, Any], prefix: str):
    for part in range(FILES):
        events(part).to_parquet(f"lake://curated/{prefix}events/part-{part}.parquet", storage_options=options)
    frame = dd.read_parquet(f"lake://curated/{prefix}events/", storage_options=options)
    assert frame.npartitions == FILES
    with get_task_stream(cluster) as stream:
        counts = frame.groupby("label")["cells"].sum().compute()
    expected = pd.concat([events(part) for part in range(FILES)]).groupby("label")["cells"].sum().to_dict()
    whole = pd.read_parquet(f"lake://curated/{prefix}events/", storage_options=options)  # pandas, one process
    assert counts.to_dict() == whole.groupby("label")["cells"].sum().to_dict() == expected
    assert {task["worker"] for task in stream.data} == set(cluster.scheduler_info()["workers"])


def test_pandas_is_told_of_an_unknown_zone(options: dict[str, Any]):
    with pytest.raises(FileNotFoundError) as raised:
        pd.read_csv("lake://rwa/labels.csv", storage_options=options)
    assert str(raised.value) == (
        "lake://rwa/labels.csv: no zone 'rwa' in the stack outputs (did you mean 'raw'?)\n"
        "hint: the zones: curated, processed, raw (the stack outputs' zoneBuckets); a path is lake://<zone>/<key>")


def test_a_reader_writing_a_frame_is_told_the_grant_it_lacks(lake: DataLake, prefix: str):
    path = f"lake://curated/{prefix}frame.parquet"
    with pytest.raises(PermissionError) as raised:
        events(0).to_parquet(path, storage_options=reader_options(lake))
    assert str(raised.value) == write_refused(path)

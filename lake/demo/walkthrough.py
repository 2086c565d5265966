"""`lake demo`: the data client against a local lake, start to finish, with nothing to set up.

It starts moto on 127.0.0.1 behind the sandbox's TLS policy gate (lake/sandbox: the lake's
bucket policies are enforced on data requests, unlike plain moto) and creates the dev stack's
resources from its offline plan, exactly as `lake sandbox` does (lake/sandbox/local.py); then it
writes a synthetic dataset shaped like the seed's, and runs the `lake data` commands a user would
type, printing each one before its output. One step is expected to be refused (an upload naming
another KMS key), to show the hint a user gets.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from .dataset import Dataset, write_dataset

DEMO_ZONE = "raw"
Runner = Callable[[list[str]], int]


@dataclass(frozen=True)
class Sandbox:
    endpoint_url: str
    ca_bundle: str
    outputs: Path  # the stack outputs of the sandbox's lake, as `pulumi stack output --json` writes them

    def options(self) -> list[str]:
        return ["--stack-outputs", str(self.outputs), "--zone", DEMO_ZONE,
                "--endpoint-url", self.endpoint_url, "--ca-bundle", self.ca_bundle]


@contextmanager
def fake_credentials() -> Iterator[None]:
    """The sandbox's fake credentials for this process only while the demo runs; a real profile
    is never read (and could not reach 127.0.0.1 anyway)."""
    from lake.sandbox.server import sandbox_environment

    saved = {name: os.environ.get(name) for name in (*sandbox_environment(), "AWS_PROFILE")}
    os.environ.update(sandbox_environment())
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Walkthrough:
    """Prints each command as a user would type it, then runs it in this process."""

    def __init__(self, sandbox: Sandbox, run: Runner) -> None:
        self.sandbox, self._run = sandbox, run
        self.failures: list[str] = []

    def step(self, title: str) -> None:
        print(f"\n## {title}", flush=True)

    def data(self, *words: str, expect: int = 0) -> int:
        print(f"$ lake data {shlex.join(words)} --stack-outputs {self.sandbox.outputs.name} --zone {DEMO_ZONE}",
              flush=True)
        code = self._run(["data", *words, *self.sandbox.options()])
        sys.stdout.flush()
        sys.stderr.flush()
        if code != expect:
            self.failures.append(f"`lake data {' '.join(words)}` exited {code}, expected {expect}")
        return code


def upload_and_list(demo: Walkthrough, dataset: Dataset) -> None:
    demo.step(f"put: {dataset.images} images, {dataset.images} XML annotations and labels.csv into the raw zone")
    demo.data("put", str(dataset.root / "images"), "images/", "--metadata", "source=synthetic-bccd")
    demo.data("put", str(dataset.root / "annotations"), "annotations/")
    demo.data("put", str(dataset.root / "labels.csv"), "labels/labels.csv")
    demo.step("ls: keys and sizes, streamed page by page")
    demo.data("ls", "annotations/")
    demo.data("head", "images/BloodImage_00000.png")


def read_back(demo: Walkthrough, client, dataset: Dataset) -> None:
    demo.step("get: read objects into memory (CSV rows, XML text, many at once)")
    demo.data("cat", "labels/labels.csv", "--as", "csv")
    keys = [f"annotations/BloodImage_{i:05d}.xml" for i in range(dataset.images)]
    cells = sum(len(ElementTree.fromstring(data).findall("object")) for _, data in client.read_many(keys))
    print(f"(Python API) read_many: {len(keys)} annotations read concurrently, {cells} annotated cells "
          f"(the dataset has {dataset.cells})")
    if cells != dataset.cells:
        demo.failures.append(f"read_many counted {cells} cells, expected {dataset.cells}")


def sync_twice(demo: Walkthrough, workdir: Path) -> None:
    target = workdir / "download" / "images"
    demo.step("sync: download a prefix concurrently; a second run skips identical files")
    demo.data("sync", "images/", str(target))
    demo.data("sync", "images/", str(target))
    (target / "BloodImage_00001.png").unlink()
    (target / "BloodImage_00002.png").write_bytes(b"corrupted")
    print("(one local file deleted, one overwritten: the next sync fetches exactly those two)")
    demo.data("sync", "images/", str(target))


def presign_and_fetch(demo: Walkthrough, client, ca_bundle: str) -> None:
    import ssl

    demo.step("presign: a URL anyone can GET for 15 minutes (at most 7 days)")
    demo.data("presign", "images/BloodImage_00000.png", "--expires", "15m")
    url = client.presign_get("images/BloodImage_00000.png", 900).url
    with urllib.request.urlopen(url, context=ssl.create_default_context(cafile=ca_bundle), timeout=10) as answer:
        fetched = answer.read()
    same = fetched == client.read_bytes("images/BloodImage_00000.png")
    print(f"(fetched the URL without credentials: HTTP {answer.status}, {len(fetched)} bytes, identical: {same})")
    if not same:
        demo.failures.append("the presigned URL did not return the object")
    demo.data("presign", "images/BloodImage_00000.png", "--expires", "8d", expect=2)


def delete_and_restore(demo: Walkthrough) -> None:
    demo.step("versions: delete labels.csv by mistake, then undelete it")
    demo.data("rm", "labels/labels.csv")
    demo.data("versions", "labels/labels.csv")
    demo.data("restore", "labels/labels.csv")
    demo.data("cat", "labels/labels.csv", "--as", "text")


def refused_upload(demo: Walkthrough, dataset: Dataset, other_key_arn: str) -> None:
    demo.step("policy: an upload naming another KMS key is refused, and the hint says which rule and why")
    demo.data("put", str(dataset.root / "labels.csv"), "labels/labels.csv", "--key-arn", other_key_arn, expect=1)


def run_demo(project_dir: Path, workdir: Path, images: int, run: Runner) -> list[str]:
    """The whole walkthrough; returns the steps that did not behave as expected (empty: success)."""
    from lake.data import LakeClient
    from lake.progress import Stages
    from lake.sandbox.local import STAGES, local_lake
    from lake.sandbox.server import client

    # The set-up prints nothing while it works: its stages show on a terminal (lake/progress.py).
    with ExitStack() as scope:
        stages = scope.enter_context(Stages("demo", STAGES + 1))
        # The start-up of `lake sandbox`: plan (a broken stack raises before any server), serve, apply.
        sandbox = scope.enter_context(local_lake(project_dir, "dev", workdir, stages=stages))
        scope.enter_context(fake_credentials())
        ca_bundle, outputs = str(sandbox.ca_bundle), sandbox.outputs
        print(f"moto on {sandbox.endpoint_url} behind the lake's policy gate (TLS, certificate {ca_bundle})")
        print(f"dev stack applied to the sandbox; its outputs: {outputs}")
        with stages.stage(f"writing a synthetic dataset of {images} images"):
            dataset = write_dataset(workdir / "dataset", images)
        print(f"synthetic dataset: {dataset.files} files under {dataset.root}")
        print(f"every command below also gets: --endpoint-url {sandbox.endpoint_url} --ca-bundle {ca_bundle}")
        demo = Walkthrough(Sandbox(sandbox.endpoint_url, ca_bundle, outputs), run)
        lake = LakeClient.from_stack_outputs(outputs, DEMO_ZONE, endpoint_url=sandbox.endpoint_url, verify=ca_bundle)
        upload_and_list(demo, dataset)
        read_back(demo, lake, dataset)
        sync_twice(demo, workdir)
        presign_and_fetch(demo, lake, ca_bundle)
        delete_and_restore(demo)
        other = client("kms", sandbox.endpoint_url, verify=ca_bundle).create_key(Description="not the lake key")
        refused_upload(demo, dataset, other["KeyMetadata"]["Arn"])
        return demo.failures


def main_demo(project_dir: Path, workdir: Path | None, images: int, run: Runner) -> int:
    """0 when every step behaved as expected, 1 otherwise (listing the steps)."""
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        failures = run_demo(project_dir, workdir, images, run)
    else:
        with tempfile.TemporaryDirectory(prefix="lake-demo-") as scratch:
            failures = run_demo(project_dir, Path(scratch), images, run)
    print()
    for failure in failures:
        print(f"demo step failed: {failure}", file=sys.stderr)
    print("demo finished: every step behaved as expected" if not failures else "demo finished with failures")
    return 1 if failures else 0

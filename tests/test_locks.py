"""The hashed locks agree with pyproject.toml and with each other, and the installer refuses what
it must: a stale lock, a file whose hash differs, a Python older than the project supports."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import REPO

sys.path.insert(0, str(REPO / "scripts"))
import install  # noqa: E402
import locking  # noqa: E402

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: locking.Lock) -> dict[str, str]:
    """{canonical name: version} of every requirement the lock file pins."""
    found = {}
    for line in lock.path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def requirement_blocks(lock: locking.Lock) -> list[str]:
    """Each requirement with its continuation lines (hashes) joined."""
    text = re.sub(r"\\\n", " ", lock.path.read_text())
    return [line for line in text.splitlines() if PIN.match(line)]


def uv_lock_versions() -> dict[str, str]:
    packages = tomllib.loads(locking.UV_LOCK.read_text())["package"]
    return {canonicalize_name(p["name"]): p["version"] for p in packages if p["name"] != "secure-datalake"}


def pyproject() -> dict:
    return tomllib.loads(locking.PYPROJECT.read_text())


def direct_requirements(lock_name: str) -> list[Requirement]:
    document = pyproject()
    project, groups = document["project"], document["dependency-groups"]
    wanted = {
        "requirements.txt": project["dependencies"],
        "requirements/test.txt": project["dependencies"] + project["optional-dependencies"]["test"],
        "requirements/build.txt": groups["build"],
        "policies/requirements.txt": groups["policy-pack"],
    }[lock_name]
    return [Requirement(text) for text in wanted]


@pytest.mark.parametrize("lock", locking.LOCKS, ids=lambda lock: lock.name)
def test_every_lock_is_fresh(lock):
    assert lock.path.is_file(), f"{lock.name} is missing: run python3 scripts/lock.py"
    assert lock.recorded_digest() == lock.inputs_digest(), (
        f"{lock.name} is stale against its inputs: run python3 scripts/lock.py")


@pytest.mark.parametrize("lock", locking.LOCKS, ids=lambda lock: lock.name)
def test_every_pin_is_exact_and_hashed(lock):
    blocks = requirement_blocks(lock)
    assert blocks, f"{lock.name} pins nothing"
    for block in blocks:
        assert "--hash=sha256:" in block, f"{lock.name}: {block.split()[0]} has no hash"
    lines = [line for line in lock.path.read_text().splitlines() if line and not line.startswith(("#", " "))]
    assert all(PIN.match(line) for line in lines), f"{lock.name}: a requirement that is not an exact pin"


@pytest.mark.parametrize("lock", locking.PROJECT_LOCKS, ids=lambda lock: lock.name)
def test_exports_pin_exactly_what_uv_lock_resolved(lock):
    resolved = uv_lock_versions()
    for name, version in pins(lock).items():
        assert resolved.get(name) == version, f"{lock.name}: {name}=={version}, uv.lock has {resolved.get(name)}"


@pytest.mark.parametrize("lock", locking.PROJECT_LOCKS, ids=lambda lock: lock.name)
def test_direct_requirements_are_pinned_within_their_ranges(lock):
    pinned = pins(lock)
    for requirement in direct_requirements(lock.name):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{lock.name} does not pin {requirement}"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock.name}: {name}=={pinned[name]} is outside pyproject.toml's {requirement}")


def test_uv_lock_records_the_requirements_of_pyproject():
    """uv.lock names the requirements it was resolved from: they are pyproject.toml's."""
    package = next(p for p in tomllib.loads(locking.UV_LOCK.read_text())["package"] if p["name"] == "secure-datalake")
    recorded = {(canonicalize_name(r["name"]), r.get("specifier", "")) for r in package["metadata"]["requires-dist"]}
    project = pyproject()["project"]
    declared = {(canonicalize_name(r.name), str(r.specifier))
                for r in map(Requirement, project["dependencies"] + project["optional-dependencies"]["test"])}
    normalise = {(name, ",".join(sorted(spec.split(",")))) for name, spec in recorded}
    assert normalise == {(name, ",".join(sorted(spec.split(",")))) for name, spec in declared}


def test_the_runtime_and_test_locks_agree_wherever_they_overlap():
    runtime, test = pins(locking.lock_named("requirements.txt")), pins(locking.lock_named("requirements/test.txt"))
    assert set(runtime) <= set(test)
    assert {name: test[name] for name in runtime} == runtime


@pytest.mark.parametrize("lock", locking.SEPARATE_LOCKS, ids=lambda lock: lock.name)
def test_separate_locks_pin_their_tool_as_asked(lock):
    wanted = [Requirement(line) for line in lock.source.read_text().splitlines() if line and not line.startswith("#")]
    pinned = pins(lock)
    for requirement in wanted:
        assert requirement.specifier.contains(pinned[canonicalize_name(requirement.name)])


# The installer's refusals.

def test_install_refuses_a_python_older_than_requires_python():
    with pytest.raises(install.InstallError) as refused:
        install.check_python((3, 10, 12, "final", 0))
    assert str(refused.value) == ("Python 3.10.12 is older than this project supports (pyproject.toml "
                                  "requires-python >=3.11)")
    assert refused.value.hint == "run this script with Python 3.11 or newer, e.g. python3.11 scripts/install.py"
    install.check_python((3, 11, 0))


def test_install_refuses_a_stale_lock_before_creating_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(locking.Lock, "inputs_digest", lambda lock: "0" * 64)
    venv_dir = tmp_path / "venv"
    assert install.main(["--test", "--venv", str(venv_dir)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: requirements/test.txt is stale against pyproject.toml (its inputs changed since it was generated)",
        "hint: run python3 scripts/lock.py and commit the locks"]
    assert not venv_dir.exists()


def test_install_refuses_a_file_whose_hash_differs_from_the_lock(tmp_path):
    wheel = tiny_wheel(tmp_path / "wheels")
    lock = tmp_path / "lock.txt"
    lock.write_text(f"tiny-package==1.0 --hash=sha256:{'0' * 64}\n")
    with pytest.raises(install.InstallError) as refused:
        install.pip(sys.executable, ["--dry-run", "--ignore-installed", "--no-index", "--find-links",
                                     str(wheel.parent), "--require-hashes", "-r", str(lock)],
                    [FakeLock("lock.txt")])
    assert str(refused.value) == ("lock.txt: the downloaded tiny-package==1.0 does not match its locked hash; "
                                  "nothing was installed")
    log = Path(refused.value.hint.rsplit(" ", 1)[1])
    assert "Expected sha256 " + "0" * 64 in log.read_text()
    log.unlink()


def test_install_refuses_a_requirement_missing_from_the_lock(tmp_path):
    wheel = tiny_wheel(tmp_path / "wheels", requires="other-package")
    digest = subprocess.run([sys.executable, "-m", "pip", "hash", str(wheel)], capture_output=True, text=True,
                            check=True).stdout.split("--hash=")[1].strip()
    lock = tmp_path / "lock.txt"
    lock.write_text(f"tiny-package==1.0 --hash={digest}\n")
    with pytest.raises(install.InstallError) as refused:
        install.pip(sys.executable, ["--dry-run", "--ignore-installed", "--no-index", "--find-links",
                                     str(wheel.parent), "--require-hashes", "-r", str(lock)],
                    [FakeLock("lock.txt")])
    assert str(refused.value).startswith("lock.txt: ")
    Path(refused.value.hint.rsplit(" ", 1)[1]).unlink()


class FakeLock:
    def __init__(self, name):
        self.name = name


def tiny_wheel(folder: Path, requires: str = "") -> Path:
    """A pure wheel of tiny-package 1.0, built by hand: no build backend, no network."""
    folder.mkdir(parents=True)
    path = folder / "tiny_package-1.0-py3-none-any.whl"
    metadata = "Metadata-Version: 2.1\nName: tiny-package\nVersion: 1.0\n"
    if requires:
        metadata += f"Requires-Dist: {requires}\n"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tiny_package/__init__.py", "")
        archive.writestr("tiny_package-1.0.dist-info/METADATA", metadata)
        archive.writestr("tiny_package-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n")
        archive.writestr("tiny_package-1.0.dist-info/RECORD", "")
    return path


def test_install_refuses_a_venv_path_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "a-file"
    target.write_text("not a virtualenv")
    assert install.main(["--venv", str(target)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --venv {target}: is a file, not a folder", "hint: pass --venv DIR naming a folder"]
    assert target.read_text() == "not a virtualenv"

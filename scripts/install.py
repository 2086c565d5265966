"""Create the project's virtualenv from the hashed locks: `python3 scripts/install.py [--test]`.

Needs only Python and its venv module. Installs requirements.txt (or requirements/test.txt with
``--test``) and the locked build backend with pip in hash-checking mode, wheels only, so a file
whose hash differs from the lock's, or a package the lock does not name, stops the install; then
installs this project in place without build isolation (no unlocked build dependency either).

Refuses, with one line each and before anything is installed: a Python older than
pyproject.toml's requires-python, and a lock that is stale against pyproject.toml. A virtualenv it
created is removed again when the install fails, so no half-built one is left behind.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import locking  # noqa: E402  (the scripts' own module, beside this file)


# pip's hash report names each mismatching file on its own line: "    name==1.0 from https://...:"
MISMATCH = re.compile(r"^\s+(\S+==\S+) from ")


class InstallError(Exception):
    """One line for the user, and a hint."""

    def __init__(self, message, hint=""):
        super().__init__(message)
        self.hint = hint


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/install.py", description=__doc__.splitlines()[0])
    parser.add_argument("--test", action="store_true", help="install the test extra too (requirements/test.txt)")
    parser.add_argument("--venv", default=str(locking.REPO / ".venv"), help="the virtualenv (default: .venv)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        check_python(sys.version_info)
        locks = [locking.lock_named("requirements/test.txt" if args.test else "requirements.txt"),
                 locking.lock_named("requirements/build.txt")]
        check_fresh(locks)
        count = install(args.venv, locks)
    except InstallError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as error:  # the file system said no (permissions, full disk): one line, no traceback
        print(f"error: {error.filename or args.venv}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"installed {count} locked packages and secure-datalake into {args.venv} "
          f"in {time.monotonic() - started:.0f} s")
    return 0


def check_python(version):
    floor = locking.requires_python()
    if tuple(version[:2]) < floor:
        found = ".".join(str(part) for part in version[:3])
        raise InstallError(f"Python {found} is older than this project supports (pyproject.toml requires-python "
                           f">={floor[0]}.{floor[1]})",
                           f"run this script with Python {floor[0]}.{floor[1]} or newer, e.g. "
                           f"python3.{floor[1]} scripts/install.py")


def check_fresh(locks):
    for lock in locks:
        if not lock.path.is_file():
            raise InstallError(f"{lock.name}: missing", "run python3 scripts/lock.py")
        if lock.is_stale():
            raise InstallError(f"{lock.name} is stale against pyproject.toml (its inputs changed since it was "
                               "generated)", "run python3 scripts/lock.py and commit the locks")


def install(venv_dir, locks):
    created = not os.path.exists(os.path.join(venv_dir, "bin", "python"))
    if os.path.exists(venv_dir) and not os.path.isdir(venv_dir):
        raise InstallError(f"--venv {venv_dir}: is a file, not a folder", "pass --venv DIR naming a folder")
    if created and os.path.exists(venv_dir) and os.listdir(venv_dir):
        raise InstallError(f"{venv_dir} exists and is not a virtualenv", "remove it or pass --venv DIR")
    try:
        if created:
            venv.create(venv_dir, with_pip=True)
        python = os.path.join(venv_dir, "bin", "python")
        requirements = [arg for lock in locks for arg in ("-r", str(lock.path))]
        pip(python, ["--require-hashes", "--only-binary", ":all:", *requirements], locks)
        pip(python, ["--no-deps", "--no-build-isolation", "--editable", str(locking.REPO)], locks)
    except BaseException:
        if created:
            shutil.rmtree(venv_dir, ignore_errors=True)
        raise
    return sum(count_pins(lock) for lock in locks)


def pip(python, arguments, locks):
    """Run pip install; on failure one line says why, and the whole output goes to a log file."""
    with tempfile.NamedTemporaryFile("w+", prefix="install-", suffix=".log", delete=False) as log:
        done = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               "--no-input", *arguments], stdout=log, stderr=subprocess.STDOUT)
        log.seek(0)
        output = log.read()
    if done.returncode == 0:
        os.unlink(log.name)
        return
    names = " and ".join(lock.name for lock in locks)
    raise InstallError(*explain_pip_failure(output, names, log.name))


def explain_pip_failure(output, names, log_path):
    """(message, hint) for the first cause pip reports, most specific first."""
    lines = output.splitlines()
    if "DO NOT MATCH THE HASHES" in output:
        culprit = next((found.group(1) for found in map(MISMATCH.match, lines) if found), "a package")
        return (f"{names}: the downloaded {culprit} does not match its locked hash; nothing was installed",
                f"the file or the lock was tampered with; pip's report is in {log_path}")
    if "Hashes are required in --require-hashes mode" in output or "must have their versions pinned" in output:
        return (f"{names}: a package needed is not in the lock", f"run python3 scripts/lock.py; pip's report is in "
                f"{log_path}")
    if "No matching distribution" in output or "Could not find a version" in output:
        detail = next((line.strip() for line in lines if "No matching distribution" in line), "")
        return (f"{names}: pip could not find a locked package ({detail or 'see the log'})",
                f"check the network and the package index; pip's report is in {log_path}")
    last = next((line.strip() for line in reversed(lines) if line.strip().startswith("ERROR")), "pip failed")
    return f"{names}: {last}", f"pip's report is in {log_path}"


def count_pins(lock):
    with open(lock.path, encoding="utf-8") as text:
        return sum(1 for line in text if "==" in line and not line.startswith(("#", " ")))


if __name__ == "__main__":
    sys.exit(main())

"""Does the installed moto understand what the installed botocore sends? Asked before the sandbox
starts, so that a version mismatch is one line naming the service, not a 404 traceback halfway
through ``apply_plan``.

botocore and moto are released separately: when botocore moves a service to another protocol
(botocore 1.44.18 speaks rest-json to Athena, ``GET /workgroups``, ``POST /workgroups``..., where
moto 5.2.5 and 5.2.6 route only the json protocol's ``POST /``), moto answers HTTP 404 to every
call of that service. The check knows no versions: it asks. Under moto's in-process ``mock_aws``
it makes one harmless read per service of ``SANDBOX_SERVICES`` with a plain botocore client (fake
credentials, the user's AWS configuration set aside); an answer moto could not route, or one
botocore could not parse, is a gap.

A pass is remembered (``$XDG_CACHE_HOME/lake/sandbox-protocols``, else ``~/.cache/lake/``) under
a fingerprint of what decides it: the versions and locations of botocore and moto, every model
file botocore would read for these services (its own, ``~/.aws/models``, ``AWS_DATA_PATH``), and
the probes. A failure is never remembered: it is asked again on every run.

``check_sandbox_protocols()`` is a plain call, for any command that starts the sandbox.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from lake.errors import InputError

Probe = tuple[str, Mapping[str, Any]]  # a client method and its parameters

# Every AWS service the sandbox serves, each with one harmless read: what apply_plan creates
# (lake/sandbox/apply.py: s3, kms, ec2, iam, glue, athena, sqs), what `lake demo` and the data
# client call (lake/demo, lake/data: s3, sts, kms), and what the live audit reads in the tests
# (policies/adapters/live: also s3control and resourcegroupstaggingapi).
SANDBOX_SERVICES: dict[str, Probe] = {
    "s3": ("list_buckets", {}),
    "s3control": ("list_access_points", {"AccountId": "123456789012"}),  # moto's default account
    "kms": ("list_keys", {}),
    "ec2": ("describe_vpcs", {}),
    "iam": ("list_roles", {}),
    "glue": ("get_databases", {}),
    "athena": ("list_work_groups", {}),
    "sqs": ("list_queues", {}),
    "sts": ("get_caller_identity", {}),
    "resourcegroupstaggingapi": ("get_resources", {"ResourceTypeFilters": ["s3"]}),
}
PROBE_REGION = "us-east-1"
PROBE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
LOCKED_INSTALL_HINT = "install the locked versions: python3 scripts/install.py --test"
CACHE_FILE = "sandbox-protocols"


class SandboxProtocolError(InputError):
    """moto cannot serve a service as botocore calls it: an installation problem, so exit 2 under
    the CLI's contract (lake/errors.py). ``str()`` is one line; ``hint`` another."""

    def __init__(self, service: str, protocol: str, botocore_version: str, moto_version: str, answer: str) -> None:
        self.service, self.protocol, self.answer = service, protocol, answer
        super().__init__(f"the sandbox cannot serve {service}: botocore {botocore_version} speaks {protocol} for "
                         f"it, which moto {moto_version} does not answer ({answer})", LOCKED_INSTALL_HINT)


def spoken_protocol(service_model: Any) -> str:
    """The protocol a botocore client uses: the first of ``metadata.protocols`` this botocore
    supports (``resolved_protocol``), else the single ``metadata.protocol`` of older models."""
    return getattr(service_model, "resolved_protocol", None) or service_model.protocol


def unanswered(call: Any, parameters: Mapping[str, Any]) -> str | None:
    """None when the server answered ``call`` as botocore expects; else what came back instead.

    Any failure counts: a read has no reason to fail in the sandbox. HTTP 404 (moto routes no such
    path), a body botocore cannot parse, an action moto does not have: the gaps a protocol change
    makes. An error code moto did send is named as it came."""
    from botocore.exceptions import ClientError
    from botocore.parsers import ResponseParserError

    try:
        call(**parameters)
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.response.get("Error", {}).get("Code", "")
        return f"HTTP {status}" if code in ("", str(status)) else f"HTTP {status} {code}"
    except ResponseParserError as error:
        return f"a response botocore cannot parse: {str(error).splitlines()[0]}"
    except NotImplementedError as error:  # moto routed the request to an action it does not have
        return str(error)
    return None


@contextmanager
def isolated_aws_environment() -> Iterator[None]:
    """None of the user's profile, config file, credentials or endpoints for the probes; only the
    model search path (AWS_DATA_PATH) is kept, since it decides what botocore speaks."""
    blank = {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    names = {*blank, *(n for n in os.environ if n.startswith("AWS_") and n != "AWS_DATA_PATH")}
    saved = {name: os.environ.pop(name, None) for name in names}
    os.environ.update(blank)
    try:
        yield
    finally:
        for name in [*names, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]:  # moto's, if it left them
            if saved.get(name) is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = saved[name]


def probe_sandbox_protocols(services: Mapping[str, Probe] = SANDBOX_SERVICES) -> None:
    """The probes themselves, remembering nothing: ``SandboxProtocolError`` for the first service
    moto does not answer. Without moto, ModuleNotFoundError (name ``moto``) before any probe."""
    import botocore
    import botocore.session
    from botocore.config import Config
    from moto import mock_aws  # before the session: moto's stubber joins every session made after it

    versions = botocore.__version__, metadata.version("moto")
    config = Config(retries={"max_attempts": 1, "mode": "standard"})
    moto_mock = mock_aws()
    with isolated_aws_environment():
        session = botocore.session.Session()
        # Not reset: a sandbox served by threads of this process (serve.gated_servers) keeps its data.
        moto_mock.start(reset=False)
        try:
            for service, (method, parameters) in services.items():
                client = session.create_client(service, region_name=PROBE_REGION, config=config, **PROBE_CREDENTIALS)
                answer = unanswered(getattr(client, method), parameters)
                if answer is not None:
                    raise SandboxProtocolError(service, spoken_protocol(client.meta.service_model), *versions, answer)
        finally:
            moto_mock.stop(remove_data=False)


def model_search_paths() -> list[Path]:
    """Where botocore looks for service models, in its order (botocore.loaders.create_loader)."""
    extra = os.environ.get("AWS_DATA_PATH")
    paths = [Path(os.path.expandvars(p)).expanduser() for p in extra.split(os.pathsep)] if extra else []
    botocore_spec = find_spec("botocore")
    builtin = [Path(botocore_spec.origin).parent / "data"] if botocore_spec and botocore_spec.origin else []
    return [*paths, Path("~/.aws/models").expanduser(), *builtin]


def installed_fingerprint(services: Mapping[str, Probe]) -> str | None:
    """What a pass of the probes depends on, hashed; None when moto or botocore is missing.

    Cheap by design (no import of botocore or moto): package metadata and file sizes and times."""
    moto_spec = find_spec("moto")
    try:
        versions = [metadata.version("botocore"), metadata.version("moto")]
    except metadata.PackageNotFoundError:
        return None
    if moto_spec is None or not moto_spec.submodule_search_locations:
        return None
    files = []
    for root in model_search_paths():
        for path in sorted({*root.glob("*.json*"), *(f for s in services for f in root.glob(f"{s}/*/*"))}):
            stat = path.stat()
            files.append([str(path), stat.st_size, stat.st_mtime_ns])
    facts = {"versions": versions, "moto": list(moto_spec.submodule_search_locations), "models": files,
             "probes": {s: [m, dict(p)] for s, (m, p) in services.items()}, "region": PROBE_REGION}
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def cache_path() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return (Path(base) if base else Path.home() / ".cache") / "lake" / CACHE_FILE
    except RuntimeError:  # no home directory to find
        return None


def check_sandbox_protocols(services: Mapping[str, Probe] = SANDBOX_SERVICES, remember: bool = True) -> None:
    """Raise ``SandboxProtocolError`` (one line, and ``hint``) when the installed moto does not
    answer a service of ``services`` as the installed botocore calls it; else return None.

    Measured on the project's 2-core machine (botocore 1.43.117, moto 5.2.5), in a fresh process,
    as CPU time (the wall time of an idle machine): a remembered pass 0.005 s (0.01 s wall); the
    probes 2.2 s. Of those, EC2 1.2 s (moto's import of ``moto.ec2`` reads its instance types and
    asks botocore for every region's endpoints before routing any request, and its client loads
    botocore's largest model), Glue 0.35 s (its model), importing moto 0.16 s, the seven others
    0.5 s together: well over the second a command may spend before it starts, so the probes run
    once per installation and a pass is remembered (``remember=False``: probe every time)."""
    fingerprint = installed_fingerprint(services) if remember else None
    cache = cache_path() if fingerprint else None
    try:
        if cache is not None and cache.read_text() == fingerprint:
            return
    except OSError:  # not there yet, or unreadable: ask
        pass
    probe_sandbox_protocols(services)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(fingerprint)
        except OSError:  # a read-only home: ask again next time
            pass

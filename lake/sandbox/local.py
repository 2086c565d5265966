"""A local lake: moto behind the policy gate over TLS, with a stack's offline plan applied.

``local_lake(project_dir, stack, workdir)`` is the one start-up of `lake sandbox` and `lake demo`:
it plans the stack offline (a broken stack config raises there, before any server starts),
starts ``MotoServer(secure=True)`` on 127.0.0.1, copies its certificate to ``workdir/ca.pem``,
creates the plan's resources in it (``apply_plan``) and writes the stack outputs, with the ids
the sandbox assigned, to ``workdir/stack-outputs.json`` as ``pulumi stack output --json`` would.
It yields a ``LocalLake`` (endpoint, CA bundle, outputs, and the environment that points boto3 at
it) and stops the server when the block ends, however it ends.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .server import MotoServer, sandbox_environment

STACK_OUTPUTS = "stack-outputs.json"
CA_BUNDLE = "ca.pem"
# The stages `local_lake` reports to a ``lake.progress.Stages`` (a command adds its own after them).
STAGES = 3


@dataclass(frozen=True)
class LocalLake:
    stack: str
    endpoint_url: str  # https://127.0.0.1:PORT
    ca_bundle: Path  # the server's self-signed certificate: the CA bundle clients trust
    outputs: Path  # the stack outputs, as `pulumi stack output --json` writes them
    region: str  # the stack's aws:region
    server: MotoServer = field(compare=False, repr=False)

    def zones(self) -> list[str]:
        """The zones of the stack outputs (``zoneBuckets``), in their order."""
        return list(json.loads(self.outputs.read_text()).get("zoneBuckets", {}))

    def environment(self) -> dict[str, str]:
        """The variables under which `lake data`, `lake audit` and boto3 reach this lake unchanged:
        botocore takes the endpoint from ``AWS_ENDPOINT_URL`` and the trust from ``AWS_CA_BUNDLE``
        when none is passed; the credentials are the sandbox's fake ones."""
        return {"AWS_ENDPOINT_URL": self.endpoint_url, "AWS_CA_BUNDLE": str(self.ca_bundle),
                **sandbox_environment(self.region)}


def stack_plan(project_dir: Path, stack: str) -> dict[str, Any]:
    """The stack's offline plan document (ConfigError, PlanError: a broken stack, exit 2)."""
    from lake.plan.render import plan_document
    from lake.plan.runner import plan_stack

    return plan_document(plan_stack(project_dir, stack))


VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
STAND_IN_CIDR = "10.0.0.0/16"


def stand_ins(document: dict[str, Any], endpoint_url: str, ca_bundle: Path) -> dict[str, str]:
    """The existing network a stack names without creating it (``datalake:network.vpcId`` and its
    ``routeTableIds``, as in Pulumi.prod.yaml), created empty in the sandbox, which starts with
    nothing: planned id -> the stand-in's id. Without them the lake's endpoint could not be made."""
    from .server import client

    planned = {r["computed"].get("id") for r in document["resources"] if r["custom"]}
    made: dict[str, str] = {}
    ec2 = None
    for resource in document["resources"]:
        if resource["type"] != VPC_ENDPOINT:
            continue
        vpc, tables = resource["inputs"].get("vpcId"), resource["inputs"].get("routeTableIds", [])
        for name in [vpc, *tables]:
            if name is None or name in planned or name in made:
                continue
            ec2 = ec2 or client("ec2", endpoint_url, document["environment"]["region"], verify=ca_bundle)
            tags = [{"Key": "Name", "Value": f"sandbox stand-in for {name}"}]
            if name == vpc:
                made[name] = ec2.create_vpc(CidrBlock=STAND_IN_CIDR, TagSpecifications=[
                    {"ResourceType": "vpc", "Tags": tags}])["Vpc"]["VpcId"]
            else:
                made[name] = ec2.create_route_table(VpcId=made.get(vpc, vpc), TagSpecifications=[
                    {"ResourceType": "route-table", "Tags": tags}])["RouteTable"]["RouteTableId"]
    return made


def write_outputs(document: dict[str, Any], endpoint_url: str, ca_bundle: Path, path: Path) -> Path:
    """Apply the plan to the sandbox (with stand-ins for the existing network it names); write its
    outputs with the ids the sandbox assigned."""
    from .apply import apply_plan, substitute

    made = stand_ins(document, endpoint_url, ca_bundle)
    document = substitute(document, made) if made else document
    applied = apply_plan(document, endpoint_url, verify=ca_bundle)
    path.write_text(json.dumps(substitute(document["outputs"], applied.substitutions), indent=2))
    return path


@contextmanager
def local_lake(project_dir: Path, stack: str, workdir: Path, port: int = 0, stages: Any = None) -> Iterator[LocalLake]:
    """``with local_lake(Path("."), "dev", workdir) as lake:`` the stack served on 127.0.0.1.

    ``port``: 0 for any free port. ``stages``: a ``lake.progress.Stages`` to report the
    ``STAGES`` stages to (None: nothing is drawn). ``workdir`` is created if missing, after the
    plan; what is written there stays after the block (the caller owns the folder), the server
    does not."""
    def stage(what: str):
        return stages.stage(what) if stages is not None else nullcontext()

    with ExitStack() as scope:
        with stage(f"planning the {stack} stack offline"):
            document = stack_plan(project_dir, stack)
        workdir.mkdir(parents=True, exist_ok=True)  # only once the stack is known to be sound
        with stage("starting moto behind the lake's policy gate (TLS)"):
            # moto acts in the plan's account, so that the ARNs the plan wrote name the sandbox's resources.
            server = scope.enter_context(MotoServer(secure=True, port=port,
                                                    account_id=document["environment"]["accountId"]))
        ca_bundle = Path(shutil.copyfile(server.ca_bundle, workdir / CA_BUNDLE))
        with stage(f"applying the {stack} stack to the sandbox"):
            outputs = write_outputs(document, server.endpoint_url, ca_bundle, workdir / STACK_OUTPUTS)
        yield LocalLake(stack, server.endpoint_url, ca_bundle, outputs, document["environment"]["region"], server)

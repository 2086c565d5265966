"""Entry point of the CrossGuard policy pack: `pulumi preview --policy-pack policies`.

Only builds the PolicyPack; everything it runs lives in importable modules (policies/pack.py).
Constructing PolicyPack starts the analyzer server, so nothing may import this file.
"""

import sys
from pathlib import Path

# The rules import `policies.*` and `components.settings`: make the repository importable when
# Pulumi runs this pack from the policies/ folder.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack  # noqa: E402

from policies.pack import PACK_NAME, stack_policies  # noqa: E402

PolicyPack(name=PACK_NAME, policies=stack_policies())

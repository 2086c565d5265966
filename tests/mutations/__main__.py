"""`python -m tests.mutations [--write] [--plan-only]`: run the mutation corpus and report recall.

Exits 0 when every mutation is caught by every rule it names and the unmutated dev and prod lakes
raise no failure; 1 otherwise; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys

from .report import ASSURANCE_MD, render, write
from .plan_corpus import CONTROLS
from .run import baseline_failures, control_failures, live_outcomes, plan_outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutations", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write the report into {ASSURANCE_MD.name}")
    parser.add_argument("--plan-only", action="store_true", help="skip the live corpus (moto, about a minute)")
    args = parser.parse_args(argv)
    outcomes = plan_outcomes()
    alarms = {f"{stack} plan": baseline_failures(stack) for stack in ("dev", "prod")}
    alarms.update({f"control {c.id}": control_failures(c) for c in CONTROLS})
    if not args.plan_only:
        live, alarms["live dev lake"] = live_outcomes(lambda id_: print(f"live: {id_}", file=sys.stderr))
        outcomes += live
    text = render(outcomes, alarms, live_ran=not args.plan_only)
    if args.write:
        write(text)
    print(text)
    perfect = all(not o.missed and not o.error for o in outcomes) and not any(alarms.values())
    return 0 if perfect else 1


if __name__ == "__main__":
    sys.exit(main())

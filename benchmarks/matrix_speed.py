"""Time to compute the access matrix of the dev stack (all zone buckets, every principal, action
and context), from the recorded plan: median of N in-process runs, and the whole `lake plan`
with and without it for scale.

    python benchmarks/matrix_speed.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.machine import describe  # noqa: E402
from benchmarks.results import write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.5


def main() -> None:
    from lake.plan.render import plan_document
    from lake.plan.runner import plan_stack
    from policies.access.matrix import access_matrix
    from policies.adapters.plan import lake_from_plan

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    model = lake_from_plan(plan_document(plan_stack(REPO, "dev")))
    samples, cells = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        matrices = access_matrix(model)
        samples.append(time.perf_counter() - started)
        cells = sum(len(m.cells) for m in matrices)
    median = statistics.median(samples)
    lines = [
        "## Access matrix speed (`benchmarks/matrix_speed.py`)",
        "",
        f"Machine and date: {describe()}. {runs} in-process runs, median, from the dev stack's recorded plan.",
        "",
        f"- Dev stack: {len(matrices)} zone buckets, {cells} decisions (each S3 decision plus, for object reads "
        "and writes, the lake key's): **{:.1f} ms** (min {:.1f}, max {:.1f}); {:.3f} ms per decision.".format(
            median * 1000, min(samples) * 1000, max(samples) * 1000, median * 1000 / cells),
        f"- Target < {TARGET_SECONDS * 1000:.0f} ms: {'met' if median < TARGET_SECONDS else 'MISSED'}.",
    ]
    write_section("access-matrix", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

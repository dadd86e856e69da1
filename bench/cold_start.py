"""CLI cold start: wall time of `maturity score` and `tier evaluate` as fresh processes, against a bare interpreter.

Each command runs REPEAT times after one warm-up run (which fills the compiled-criteria cache, as any first use does);
the median is reported. The ratio to `python -c pass` is the figure to watch: it does not depend on the machine's speed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 7


def _median_seconds(args: list[str]) -> float:
    subprocess.run(args, cwd=ROOT, capture_output=True, check=False)  # warm-up: page cache, criteria cache
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        r = subprocess.run(args, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
        if r.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(args[1:])} failed: {r.stderr.decode()[-300:]}")
    return statistics.median(times)


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp) / "answers.yaml"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "assessment",
                "maturity",
                "template",
                "maturity/2020-r2",
                "--industry",
                "discrete",
                "-o",
                str(answers),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        bare = _median_seconds([sys.executable, "-c", "pass"])
        score = _median_seconds([sys.executable, "-m", "assessment", "maturity", "score", str(answers)])
        tier = _median_seconds([sys.executable, "-m", "assessment", "tier", "evaluate", str(ROOT / "examples" / "advanced.yaml")])
    return {
        "bare_interpreter_seconds": round(bare, 3),
        "maturity_score_seconds": round(score, 3),
        "tier_evaluate_seconds": round(tier, 3),
        "maturity_score_vs_bare": round(score / bare, 1),
        "tier_evaluate_vs_bare": round(tier / bare, 1),
        "targets_seconds": {"maturity_score": 0.25, "tier_evaluate": 0.3},
        "repeat": REPEAT,
    }

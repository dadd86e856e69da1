"""Run every benchmark (``make bench``); one JSON object per benchmark on stdout."""

import json
import sys

from bench import app_rerun, cold_start, maturity_batch, portfolio_bench, reports_bench, store_io

BENCHES = {
    "maturity_batch": maturity_batch.run,
    "store_io": store_io.run,
    "app_rerun": app_rerun.run,
    "reports": reports_bench.run,
    "cold_start": cold_start.run,
    "portfolio": portfolio_bench.run,
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHES)
    for name in names:
        print(json.dumps({"bench": name, **BENCHES[name]()}, ensure_ascii=False), flush=True)

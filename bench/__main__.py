"""Run every benchmark (``make bench``); one JSON object per benchmark on stdout."""

import json
import sys

from bench import app_rerun, browser_actions, cold_start, maturity_batch, portfolio_bench, reports_bench, sheet_import, store_io

BENCHES = {
    "maturity_batch": maturity_batch.run,
    "store_io": store_io.run,
    "app_rerun": app_rerun.run,
    "reports": reports_bench.run,
    "cold_start": cold_start.run,
    "portfolio": portfolio_bench.run,
    "sheet_import": sheet_import.run,
    "browser_actions": browser_actions.run,
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHES)
    for name in names:
        print(json.dumps({"bench": name, **BENCHES[name]()}, ensure_ascii=False), flush=True)

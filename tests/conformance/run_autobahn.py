"""Run the Autobahn cases against zephyr's server and print per-section verdicts.

Usage: ``python -m tests.conformance.run_autobahn [CASE ...] [--exclude CASE ...]``
(default: sections 1-7, 9 and 10: framing, pings, reserved bits, opcodes,
fragmentation, UTF-8, closing, performance, misc; add ``"12.*" "13.*"`` for
permessage-deflate). Exit status 1 when any case fails.
"""

from __future__ import annotations

import argparse
import sys
import time

import uvloop

from tests.conformance.autobahn import passed, run_cases, summary

DEFAULT_CASES = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.*", "10.*"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=DEFAULT_CASES)
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    results = uvloop.run(run_cases(args.cases, args.exclude, args.concurrency))
    elapsed = time.perf_counter() - started
    for section, counts in sorted(summary(results).items(), key=lambda kv: int(kv[0])):
        print(f"section {section:>2}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    failures = [r for r in results if not passed(r)]
    for result in failures:
        print(
            f"FAIL {result.case_id}: {result.behavior.value} / {result.behavior_close.value}: "
            f"{result.result} {result.result_close}"
        )
    print(f"{len(results)} cases, {len(failures)} failed, {elapsed:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

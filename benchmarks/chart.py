"""Draw a results JSON as a PNG: requests/s and p99 latency per stack and test.

Run with the peers' interpreter (matplotlib lives there, not in zephyr's deps):
``benchmarks/.venv-peers/bin/python -m benchmarks.chart RESULTS.json OUT.png``.
Failed cells are drawn as empty slots marked ``x`` at the axis.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

_COLOURS = {
    "zephyr": "#d62728", "zephyr-log": "#e377c2", "zephyr-uvicorn": "#ff9896",
    "fastapi-uvicorn": "#1f77b4",
    "fastapi-granian": "#aec7e8", "starlette": "#2ca02c", "litestar": "#9467bd",
    "blacksheep": "#8c564b", "flask": "#7f7f7f", "flask-threads": "#c7c7c7", "raw": "#17becf",
}  # fmt: skip


def draw(results: dict[str, Any], out: Path) -> None:
    """Two stacked grouped-bar panels (log scale): median req/s, then median p99 ms."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tests = [t["name"] for t in results["tests"]]
    stacks = results["stacks"]
    cells = {(r["stack"], r["test"]): r for r in results["results"]}
    shown = [s for s in stacks if any((s["key"], t) in cells for t in tests)]
    width = 0.8 / max(len(shown), 1)
    fig, axes = plt.subplots(2, 1, figsize=(max(14, 1.3 * len(tests) + 4), 9), sharex=True)
    for axis, metric, label in (
        (axes[0], "median_rps", "requests/s (median)"),
        (axes[1], "median_p99_ms", "p99 latency, ms (median)"),
    ):
        for i, stack in enumerate(shown):
            xs, ys, failed = [], [], []
            for j, test in enumerate(tests):
                cell = cells.get((stack["key"], test))
                x = j - 0.4 + width * (i + 0.5)
                if cell is None:
                    continue
                if cell["status"] == "ok":
                    if cell.get(metric) is None:  # latency wrk did not time (pipelined)
                        continue
                    xs.append(x)
                    ys.append(cell[metric])
                else:
                    failed.append(x)
            colour = _COLOURS.get(stack["key"])
            axis.bar(xs, ys, width, label=stack["name"], color=colour)
            if failed:
                axis.plot(
                    failed,
                    [0] * len(failed),
                    "x",
                    color=colour,
                    transform=axis.get_xaxis_transform(),
                )
        axis.set_yscale("log")
        axis.set_ylabel(label)
        axis.grid(axis="y", alpha=0.3)
    axes[1].set_xticks(range(len(tests)), tests, rotation=30, ha="right")
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    settings = results["settings"]
    fig.suptitle(
        f"zephyr benchmarks {results['date']} ({settings['rounds']} round(s) x "
        f"{settings['seconds']:g} s; server on 1 core)"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m benchmarks.chart RESULTS.json OUT.png")
    draw(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))


if __name__ == "__main__":
    main()

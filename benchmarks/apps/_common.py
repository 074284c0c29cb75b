"""What every benchmark app shares: settings, SQL, the query-count rule, the fortunes page.

Each app module keeps its framework's idiomatic shape (routing, models,
dependency injection, lifespan); only the TechEmpower plumbing that would be
copy-pasted identically into each one lives here.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import jinja2

from benchmarks.database import ADDED_FORTUNE, DSN

__all__ = [
    "ADDED_FORTUNE",
    "DSN",
    "POOL_SIZE",
    "open_pool",
    "parse_queries",
    "random_id",
    "render_fortunes",
]

#: Database connections per server process (the same for every stack).
POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "16"))
#: Seconds the I/O-bound endpoint awaits.
IO_SECONDS = 0.1

SELECT_WORLD = "SELECT id, randomnumber FROM world WHERE id = $1"
UPDATE_WORLD = "UPDATE world SET randomnumber = $2 WHERE id = $1"
SELECT_FORTUNES = "SELECT id, message FROM fortune"

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
)
_fortunes_template = _templates.get_template("fortunes.html")


async def open_pool() -> Any:
    """An asyncpg pool of :data:`POOL_SIZE` connections to the benchmark database.

    Connections open lazily (``min_size=0``): a run without database tests needs
    no PostgreSQL. asyncpg is imported here, not at module level, because the
    API tests import the FastAPI/zephyr benchmark apps in zephyr's own venv.
    """
    import asyncpg

    return await asyncpg.create_pool(DSN, min_size=0, max_size=POOL_SIZE)


def parse_queries(raw: str | None) -> int:
    """TechEmpower's rule: a missing or non-integer count is 1, the rest clamped to 1..500."""
    try:
        count = int(raw) if raw else 1
    except ValueError:
        return 1
    return min(max(count, 1), 500)


def random_id() -> int:
    """A World id, 1..10000."""
    return random.randint(1, 10_000)


def render_fortunes(rows: list[tuple[int, str]]) -> str:
    """Add the request-time fortune, sort by message and render the escaped HTML page."""
    rows.append(ADDED_FORTUNE)
    rows.sort(key=lambda row: row[1])
    return _fortunes_template.render(fortunes=rows)

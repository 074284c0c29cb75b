"""The TechEmpower ``hello_world`` database: its contents, and a setup step that creates it.

Run inside the peers virtualenv (it needs asyncpg):
``benchmarks/.venv-peers/bin/python -m benchmarks.database [DSN]``. The harness
does that before any database test. Tables, following the TechEmpower spec:

* ``World(id int primary key, randomNumber int)``: 10,000 rows, ids 1..10000,
  random numbers in 1..10000.
* ``Fortune(id int primary key, message varchar(2048))``: the 12 fortunes below,
  one with markup that must come out escaped and one in Japanese (UTF-8).

Unquoted identifiers fold to lower case in PostgreSQL, so the tables are
``world``/``fortune`` and the column ``randomnumber``.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

#: Server that holds the benchmark database (trust auth, user postgres).
ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
#: The database the apps query.
DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/hello_world")
WORLD_ROWS = 10_000

#: (id, message) of the Fortune table, as the TechEmpower spec describes it.
FORTUNES: tuple[tuple[int, str], ...] = (
    (1, "fortune: No such file or directory"),
    (2, "A computer scientist is someone who fixes things that aren't broken."),
    (3, "After enough decimal places, nobody gives a damn."),
    (4, "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
    (5, "A computer program does what you tell it to do, not what you want it to do."),
    (6, "Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen"),
    (7, "Any program that runs right is obsolete."),
    (8, "A list is only as strong as its weakest link. \u2014 Donald Knuth"),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af"),
)
#: The row every fortunes handler adds before sorting (id 0).
ADDED_FORTUNE = (0, "Additional fortune added at request time.")


async def _setup(admin_dsn: str, dsn: str) -> str:
    import asyncpg  # only in the peers virtualenv

    try:
        admin = await asyncpg.connect(admin_dsn, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        raise SystemExit(
            f"PostgreSQL is unreachable at {admin_dsn} ({exc}); the database tests need a "
            "local server with trust auth for user postgres (or set BENCH_PG_ADMIN_DSN)"
        ) from None
    try:
        name = dsn.rsplit("/", 1)[1]
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    finally:
        await admin.close()
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        return await _fill(conn)
    finally:
        await conn.close()


async def _fill(c: Any) -> str:
    """Create and fill the tables unless they already hold the expected rows."""
    await c.execute(
        "CREATE TABLE IF NOT EXISTS world (id integer PRIMARY KEY, randomnumber integer NOT NULL);"
        "CREATE TABLE IF NOT EXISTS fortune "
        "(id integer PRIMARY KEY, message varchar(2048) NOT NULL)"
    )
    worlds = await c.fetchval("SELECT count(*) FROM world")
    fortunes = await c.fetch("SELECT id, message FROM fortune ORDER BY id")
    done = []
    if worlds != WORLD_ROWS:
        rows = [(i, random.randint(1, 10_000)) for i in range(1, WORLD_ROWS + 1)]
        async with c.transaction():
            await c.execute("TRUNCATE world")
            await c.copy_records_to_table("world", records=rows)
        done.append(f"world: {WORLD_ROWS} rows")
    if [tuple(r) for r in fortunes] != list(FORTUNES):
        async with c.transaction():
            await c.execute("TRUNCATE fortune")
            await c.copy_records_to_table("fortune", records=list(FORTUNES))
        done.append(f"fortune: {len(FORTUNES)} rows")
    return "created " + ", ".join(done) if done else "already in place"


def main() -> None:
    dsn = sys.argv[1] if len(sys.argv) > 1 else DSN
    print(f"hello_world database: {asyncio.run(_setup(ADMIN_DSN, dsn))}")


if __name__ == "__main__":
    main()


def lookup_worlds(ids: Sequence[int], python: str | None = None) -> dict[int, int]:
    """``{id: randomNumber}`` for ``ids`` read straight from PostgreSQL (the updates check).

    Uses ``psql`` when installed, else asyncpg in ``python`` (the peers' interpreter).
    """
    sql = f"SELECT id, randomnumber FROM world WHERE id IN ({','.join(str(int(i)) for i in ids)})"
    if shutil.which("psql"):
        argv = ["psql", DSN, "-At", "-F", ",", "-c", sql]
    elif python:
        code = (
            "import asyncio, asyncpg, sys\n"
            "async def main():\n"
            "    conn = await asyncpg.connect(sys.argv[1])\n"
            "    for r in await conn.fetch(sys.argv[2]): print(f'{r[0]},{r[1]}')\n"
            "    await conn.close()\n"
            "asyncio.run(main())\n"
        )
        argv = [python, "-c", code, DSN, sql]
    else:
        raise RuntimeError("neither psql nor an interpreter with asyncpg to read the database")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
    pairs = (line.split(",") for line in done.stdout.split())
    return {int(wid): int(number) for wid, number in pairs}

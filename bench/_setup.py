"""Shared set-up for the benchmarks: a dedicated PostgreSQL database, migrated."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_on_bench_database(name: str = "equalex_bench"):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "equalex.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _create_database_if_missing(settings.DATABASES["default"])
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database_if_missing(database):
    import psycopg2

    connection = psycopg2.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        user=database["USER"] or "postgres",
        password=database["PASSWORD"] or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database["NAME"]}"')
    connection.close()


def timed(function, repeat: int = 5) -> float:
    """Median wall time in milliseconds of `repeat` runs after one warm-up."""
    import statistics
    import time

    function()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def add_jit_argument(parser):
    parser.add_argument(
        "--jit",
        choices=["settings", "on", "off", "both"],
        default="settings",
        help="PostgreSQL jit for the benchmark's connection: as the settings leave it, on, "
        "off, or both (on and off alternated repetition by repetition, medians of each)",
    )


def jit_sides(choice: str) -> list[str]:
    return ["on", "off"] if choice == "both" else [choice]


_jit = {"side": "settings"}


def _apply_jit(connection, **kwargs):
    if _jit["side"] != "settings":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = %s", [_jit["side"]])


def set_jit(side: str) -> str:
    """SET jit on the benchmark's (Django's) connection, and on any connection Django opens
    later (a request may reconnect); 'settings' leaves it as configured. Returns SHOW jit."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    connection_created.connect(_apply_jit, dispatch_uid="bench-jit")
    _jit["side"] = side
    connection.ensure_connection()
    _apply_jit(connection)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        return cursor.fetchone()[0]


def add_rls_argument(parser):
    parser.add_argument(
        "--rls",
        choices=["settings", "on", "off", "both"],
        default="settings",
        help="row-level security (access.rls): as the settings leave it, on (statements run "
        "as EQUALEX_DB_APP_ROLE with the actor's settings), off (as the owner, which "
        "bypasses the policies), or both (alternated repetition by repetition)",
    )


def bench_sides(args) -> list[str]:
    """The sides a bench compares: 'jit on'/'jit off', 'rls on'/'rls off', or 'settings'."""
    jit, rls = getattr(args, "jit", "settings"), getattr(args, "rls", "settings")
    if jit != "settings" and rls != "settings":
        raise SystemExit("Compare one thing at a time: --jit or --rls, not both.")
    if jit != "settings":
        return [f"jit {side}" for side in jit_sides(jit)]
    if rls != "settings":
        return [f"rls {side}" for side in (["on", "off"] if rls == "both" else [rls])]
    return ["settings"]


_app_role = {}


def set_rls(side: str) -> None:
    """Row-level security on (the configured application role) or off (no role switch:
    statements run as the owner, so the same policies are bypassed)."""
    from django.conf import settings

    _app_role.setdefault("configured", settings.EQUALEX_DB_APP_ROLE or "equalex_app")
    settings.EQUALEX_DB_APP_ROLE = _app_role["configured"] if side == "on" else ""


def set_side(side: str) -> None:
    if side.startswith("jit "):
        set_jit(side[4:])
    elif side.startswith("rls "):
        set_rls(side[4:])


def analyze() -> None:
    """Planner statistics, as autovacuum would leave them. ANALYZE is the tables' owner's
    (the application role would skip every table), so it runs as the login role."""
    from django.db import connection

    from access.rls import as_table_owner

    with as_table_owner("bench statistics"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed_sides(function, sides, repeat: int = 5) -> dict[str, float]:
    """Median in ms per side of `repeat` runs after one warm-up each. The sides take
    turns run by run (which goes first alternating too), so other load on the machine falls
    on both alike. A function returning a float reports its own measure (e.g. one query's
    time inside a page); otherwise its wall time is taken."""
    import statistics
    import time

    for side in sides:
        set_side(side)
        function()
    runs = {side: [] for side in sides}
    for n in range(repeat):
        for side in sides if n % 2 == 0 else list(reversed(sides)):
            set_side(side)
            start = time.perf_counter()
            result = function()
            elapsed = (time.perf_counter() - start) * 1000
            runs[side].append(result if isinstance(result, float) else elapsed)
    set_side(sides[0])
    return {side: statistics.median(times) for side, times in runs.items()}


def slowest_query(function):
    """Wrap `function` so it returns the time in ms of the slowest SQL query it ran."""
    import time

    from django.db import connection

    def run() -> float:
        times = []

        def wrapper(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                times.append((time.perf_counter() - start) * 1000)

        with connection.execute_wrapper(wrapper):
            function()
        return max(times)

    return run


def print_sides(results, sides, *, first_column: str, width: int, decimals: int) -> None:
    """The table both benches print: one row per measure, a column per side, and the
    ratio of the first side to the second when two ran (jit on/off, rls on/off)."""
    header = "".join(f"{side + ' ms':>16}" for side in sides)
    ratio_name = "/".join(side.split()[-1] for side in sides)
    print(f"{first_column:<{width}}{header}" + (f"{ratio_name:>10}" if len(sides) == 2 else ""))
    for label, by_side in results:
        cells = "".join(f"{by_side[side]:>16.{decimals}f}" for side in sides)
        ratio = f"{by_side[sides[0]] / by_side[sides[1]]:>10.3f}" if len(sides) == 2 else ""
        print(f"{label:<{width}}{cells}{ratio}")

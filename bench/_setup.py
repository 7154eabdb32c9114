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

"""PostgreSQL connections from the settings run with JIT off (see equalex/settings)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="JIT is a PostgreSQL setting"
)


def _show(cursor, name):
    cursor.execute(f"SHOW {name}")
    return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_connection_from_the_settings_has_jit_off():
    with connection.cursor() as cursor:
        assert _show(cursor, "jit") == "off"


def _in_a_fresh_process(extra_env):
    """SHOW jit and statement_timeout on a connection made by a new process's settings."""
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SHOW jit'); jit = c.fetchone()[0]\n"
        "    c.execute('SHOW statement_timeout'); timeout = c.fetchone()[0]\n"
        "print(jit, timeout)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "equalex.settings", **extra_env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.django_db
def test_equalex_db_jit_turns_it_on_and_options_from_the_url_are_kept():
    database = connection.settings_dict  # the test database, which exists
    url = (
        f"postgres://{quote(database['USER'] or 'postgres')}"
        f"{':' + quote(database['PASSWORD']) if database['PASSWORD'] else ''}"
        f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        f"?options={quote('-c statement_timeout=4321')}"
    )
    assert _in_a_fresh_process({"DATABASE_URL": url}) == ["off", "4321ms"]
    assert _in_a_fresh_process({"DATABASE_URL": url, "EQUALEX_DB_JIT": "on"}) == ["on", "4321ms"]

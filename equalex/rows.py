"""values() rows as the database driver types them, for the pages and API lists that read
hundreds of pupils' progress at once."""

from collections import OrderedDict
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.query import ValuesIterable
from django.db.models.sql.constants import MULTI

from access.context import current_actor_or_none


class DriverTypedValuesIterable(ValuesIterable):
    """values() rows as psycopg2 returns them. It already gives Decimal for numeric, int for
    integers, bool for booleans and date for dates, so Django's converters (Decimal(value),
    int(value) for every expression's value) change nothing; on a page of 1,000 pupils'
    progress they were 35,000 calls, a tenth of the request. Only for rows whose values
    need no conversion from the driver's types (no JSON or custom fields); tested equal to
    values()' own rows (test_api_progress_fields:
    test_rows_as_the_driver_types_them_equal_djangos_converted_rows)."""

    def __iter__(self):
        query = self.queryset.query
        compiler = query.get_compiler(self.queryset.db)
        names = _column_names(query)
        chunks = compiler.execute_sql(
            MULTI, chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size
        )
        for chunk in chunks or ():
            for row in chunk:
                yield dict(zip(names, row, strict=False))


def driver_typed(rows):
    """A values() queryset whose rows skip Django's converters on PostgreSQL (elsewhere,
    SQLite returns text and floats that need them, it is left as it is)."""
    if connection.vendor == "postgresql":
        rows._iterable_class = DriverTypedValuesIterable
    return rows


def _column_names(query) -> list[str]:
    if query.selected:
        return list(query.selected)
    return [*query.extra_select, *query.values_select, *query.annotation_select]


# Statements compiled for a key: (sql, params, column names), the most recently used last.
_STATEMENTS: OrderedDict = OrderedDict()
_STATEMENTS_KEPT = 512
_statements_lock = Lock()


def rows_compiled_once(key: tuple, values_queryset) -> list[dict]:
    """The rows of a values() queryset, driver typed (driver_typed), from a statement
    compiled once per key and process.

    Building and compiling a page's queryset (some twenty annotations over the progress
    ledger) costs the cohort page more than PostgreSQL takes to run it, and the same
    careers leader reloads the same year group all day. `key` must name everything the
    statement depends on (the arguments the queryset is built from, the rules it counts
    by); the actor in scope and the database are added here, since the scoping layer
    filters by the actor. `values_queryset` is called only when the key is new. The
    statement holds numbers and dates, never a name: the rows are read afresh each time.
    """
    if connection.vendor != "postgresql":
        return list(values_queryset())
    key = (connection.alias, current_actor_or_none(), *key)
    with _statements_lock:
        statement = _STATEMENTS.get(key)
        if statement is not None:
            _STATEMENTS.move_to_end(key)
    if statement is None:
        queryset = values_queryset()
        try:
            sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            return []
        statement = (sql, tuple(params), _column_names(queryset.query))
        with _statements_lock:
            _STATEMENTS[key] = statement
            while len(_STATEMENTS) > _STATEMENTS_KEPT:
                _STATEMENTS.popitem(last=False)
    sql, params, names = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

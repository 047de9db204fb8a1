"""Counting SQL statements without a cap, for query budgets on large operations.

`django_assert_max_num_queries` and `CaptureQueriesContext` read `connection.queries`, a log that keeps only the
last 9,000 statements: past that, the captured count stops growing (or drops to 0), so a budget above 9,000 could
never fail. `count_queries()` counts every statement through `connection.execute_wrapper` instead.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections

__all__ = ["QueryCount", "count_queries"]


@dataclass
class QueryCount:
    count: int = 0


@contextmanager
def count_queries(using: str = "default") -> Iterator[QueryCount]:
    counted = QueryCount()

    def wrapper(execute, sql, params, many, context):
        counted.count += 1
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(wrapper):
        yield counted

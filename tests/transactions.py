"""Record which tables each database transaction wrote, on every engine of the process.

A staff action must write its change and its audit row in one transaction: the SQL each
connection sends is grouped by commit, so a test can look at the transaction holding the
audit INSERT and see what else it wrote.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.IGNORECASE)


class Transactions:
    def __init__(self) -> None:
        self.committed: list[set[str]] = []  # per commit: the tables it wrote
        self._open: dict[int, set[str]] = {}
        self._lock = threading.Lock()

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        m = _WRITE.match(statement)
        if m:
            with self._lock:
                self._open.setdefault(id(conn), set()).add(m.group(2).lower())

    def _commit(self, conn) -> None:
        with self._lock:
            tables = self._open.pop(id(conn), set())
            if tables:
                self.committed.append(tables)

    def _rollback(self, conn) -> None:
        with self._lock:
            self._open.pop(id(conn), None)

    def with_audit(self) -> list[set[str]]:
        """The committed transactions that wrote an audit row."""
        with self._lock:
            return [t for t in self.committed if "audit" in t]


@contextmanager
def recording():
    """Record every engine's transactions inside the block (any thread)."""
    rec = Transactions()
    hooks = (("before_cursor_execute", rec._statement), ("commit", rec._commit), ("rollback", rec._rollback))
    for name, fn in hooks:
        event.listen(Engine, name, fn)
    try:
        yield rec
    finally:
        for name, fn in hooks:
            event.remove(Engine, name, fn)

"""The database connection: engine, sessions and schema migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ..errors import FumidaiError

log = logging.getLogger(__name__)

# A writer waits this long for another process's write lock before SQLite gives up.
SQLITE_BUSY_TIMEOUT_MS = 15_000


def package_dir() -> Path:
    """This package's folder in a checkout or an installed wheel (it holds migrations/)."""
    return Path(str(files("fumidai.store")))


def parse_url(url: str) -> URL:
    """The URL as SQLAlchemy reads it; bare ``postgresql://`` means psycopg 3 (installed)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise FumidaiError(f"storage url {url!r} is not a database URL (sqlite:///PATH or postgresql+psycopg://...)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise FumidaiError(f"storage url {safe_url(parsed)}: only sqlite and postgresql are supported")
    return parsed


def safe_url(url: URL | str) -> str:
    """The URL without its password, for messages and logs."""
    return (url if isinstance(url, URL) else make_url(url)).render_as_string(hide_password=True)


def _first_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None) or err
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


class Store:
    """One database: ``with store.session() as s: repo.suspend(s, ...)``.

    Sessions keep their objects usable after commit (``expire_on_commit=False``), so a
    row returned by a repository function can be read after its ``with`` block ends.
    """

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = parse_url(url)
        self.dialect = self.url.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            self._prepare_sqlite_path()
            # Threads of the service (flusher, API reads) share the engine's pool.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            if self._sqlite_in_memory:
                kwargs["poolclass"] = StaticPool  # every connection must see the one database
        else:
            kwargs["pool_pre_ping"] = True  # survive a PostgreSQL restart
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except (NoSuchModuleError, ImportError) as err:
            raise FumidaiError(f"storage url {safe_url(self.url)}: no driver: {err}") from None
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            with self.engine.connect():
                pass
        except DBAPIError as err:
            self.engine.dispose()
            raise FumidaiError(f"cannot open the database {safe_url(self.url)}: {_first_line(err)}") from None

    @property
    def _sqlite_in_memory(self) -> bool:
        return self.url.database in (None, "", ":memory:")

    def _prepare_sqlite_path(self) -> None:
        if self._sqlite_in_memory or str(self.url.database).startswith("file:"):
            return
        folder = Path(str(self.url.database)).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise FumidaiError(f"cannot create the folder of the database {safe_url(self.url)}: {err.strerror}") from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed if the block succeeds, else rolled back."""
        with self._sessions.begin() as s:
            yield s

    # -- schema -----------------------------------------------------------------

    def _alembic_config(self, connection: Any = None) -> Any:
        from alembic.config import Config

        cfg = Config(str(package_dir() / "alembic.ini"))
        cfg.set_main_option("script_location", str(package_dir() / "migrations"))
        cfg.attributes["connection"] = connection
        return cfg

    def head(self) -> str:
        """The newest migration this version of fumidai knows."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        assert head is not None
        return head

    def current(self) -> str | None:
        """The migration the database is at; None for a database never upgraded."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self, revision: str = "head") -> None:
        """Run the migrations up to ``revision`` (all of them by default)."""
        from alembic import command

        try:
            with self.engine.begin() as conn:
                command.upgrade(self._alembic_config(conn), revision)
        except DBAPIError as err:
            raise FumidaiError(f"cannot upgrade the database {safe_url(self.url)}: {_first_line(err)}") from None

    def ensure_schema(self) -> None:
        """Make the schema usable at start-up.

        SQLite is upgraded automatically (one file, one owner). A PostgreSQL database is
        only created when empty: upgrading a shared production database is the operator's
        decision, made with ``fumidai db upgrade``.
        """
        if self.dialect == "sqlite":
            self.upgrade()
            return
        current = self.current()
        if current is None and not inspect(self.engine).get_table_names():
            log.info("creating the schema in the empty database %s", safe_url(self.url))
            self.upgrade()
            return
        head = self.head()
        if current != head:
            raise FumidaiError(
                f"the database {safe_url(self.url)} is at schema {current or 'none'}, "
                f"this fumidai needs {head}: run fumidai db upgrade"
            )

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets the API read while the flusher writes; foreign keys are off by default.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def describe_store(url: str) -> str:
    """Check the store read-only: it opens and its schema matches this fumidai. Creates nothing
    (no file, no folder, no table); returns one line saying what was found."""
    import sqlite3

    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.config import Config

    parsed = parse_url(url)
    cfg = Config(str(package_dir() / "alembic.ini"))
    cfg.set_main_option("script_location", str(package_dir() / "migrations"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if parsed.get_backend_name() == "sqlite":
        database = str(parsed.database or "")
        if database in ("", ":memory:") or database.startswith("file:"):
            return f"store {safe_url(parsed)}: in memory, made at start"
        path = Path(database).expanduser()
        if not path.exists():
            where = "its folder exists" if path.parent.is_dir() else f"create its folder {path.parent} first"
            return f"store {path}: no database yet; `fumidai db upgrade` or `fumidai serve` makes it ({where})"
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.OperationalError:
                row = None
            finally:
                conn.close()
        except sqlite3.Error as err:
            raise FumidaiError(f"cannot open the database {path}: {err}") from None
        current = row[0] if row else None
    else:
        engine = create_engine(parsed, pool_pre_ping=False)
        try:
            with engine.connect() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
        except DBAPIError as err:
            raise FumidaiError(f"cannot open the database {safe_url(parsed)}: {_first_line(err)}") from None
        except (NoSuchModuleError, ImportError) as err:
            raise FumidaiError(f"storage url {safe_url(parsed)}: no driver: {err}") from None
        finally:
            engine.dispose()
    if current == head:
        return f"store {safe_url(parsed)}: schema {current}, up to date"
    return f"store {safe_url(parsed)}: schema {current or 'none'}, this fumidai needs {head}: run fumidai db upgrade"

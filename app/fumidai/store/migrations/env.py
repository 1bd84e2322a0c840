"""Alembic environment: the models' metadata, batch mode for SQLite's limited ALTER."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from fumidai.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from fumidai.config import load_settings
    from fumidai.store.db import parse_url

    return parse_url(load_settings().storage.url).render_as_string(hide_password=False)


def run_migrations_online() -> None:
    # Store.upgrade() passes its own connection, inside its transaction.
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()

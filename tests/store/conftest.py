"""A migrated store on each backend: every store test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from fumidai.store.db import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/db/fumidai.db"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_url):
    st = Store(store_url)
    st.upgrade()
    try:
        yield st
    finally:
        st.dispose()

"""`zentrunk_async.sync`'s public surface: the promised names, sorted, importable."""

from __future__ import annotations

import inspect

import zentrunk_async.sync as sync

#: public-api.md §6.
PROMISED = ["open_store", "sync_once"]


def test_all_is_sorted_and_importable() -> None:
    for name in sync.__all__:
        assert hasattr(sync, name), name
    assert list(sync.__all__) == sorted(sync.__all__)
    assert set(PROMISED) <= set(sync.__all__)


def test_sync_once_signature_is_the_promised_one() -> None:
    """``await sync_once(client, store, since=None, settle=...)``; the summary has the fields."""
    params = inspect.signature(sync.sync_once).parameters
    assert list(params)[:4] == ["client", "store", "since", "settle"]
    assert params["since"].default is None
    assert {"written", "watermark"} <= {f.name for f in sync.SyncSummary.__attrs_attrs__}


def test_store_reprs_hide_passwords() -> None:
    store = sync.store_for("postgresql://me:s3cret@db.example:5432/cdrs")
    assert "s3cret" not in repr(store)
    assert "me:***@db.example:5432/cdrs" in repr(store)

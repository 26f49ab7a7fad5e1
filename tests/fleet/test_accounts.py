"""The accounts file: JSON auth_id + auth_token_env entries, checked before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zentrunk_async import InvalidArgumentError
from zentrunk_async.fleet import Account, load_accounts, token_from_env


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "accounts.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, [{"auth_id": "MA1", "auth_token_env": "TOKEN_1"}])
    assert load_accounts(path) == [Account("MA1", "TOKEN_1")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ({"auth_id": "MA1"}, "non-empty JSON list"),
        ([], "non-empty JSON list"),
        (["MA1"], "entry 0 must be an object"),
        ([{"auth_id": "MA1", "auth_token": "s3cret"}], "holds an auth_token"),
        ([{"auth_id": "MA1"}], "needs both auth_id and auth_token_env"),
        ([{"auth_id": "MA1", "auth_token_env": "T", "x": 1}], "unknown field"),
        ([{"auth_id": "MA 1", "auth_token_env": "T"}], "letters and digits"),
        ([{"auth_id": "MA1", "auth_token_env": "1-bad"}], "environment variable name"),
        (
            [{"auth_id": "MA1", "auth_token_env": "A"}, {"auth_id": "MA1", "auth_token_env": "B"}],
            "listed twice",
        ),
    ],
)
def test_a_bad_file_is_refused_in_its_own_words(
    tmp_path: Path, content: object, message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message) as caught:
        load_accounts(write(tmp_path, content))
    assert "s3cret" not in str(caught.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="cannot read accounts file"):
        load_accounts(tmp_path / "nope.json")


def test_token_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZT_TEST_TOKEN", "tok")
    assert token_from_env(Account("MA1", "ZT_TEST_TOKEN")) == "tok"
    monkeypatch.delenv("ZT_TEST_TOKEN")
    with pytest.raises(InvalidArgumentError, match="ZT_TEST_TOKEN is not set"):
        token_from_env(Account("MA1", "ZT_TEST_TOKEN"))
    with pytest.raises(InvalidArgumentError, match="names no auth_token_env"):
        token_from_env(Account("MA1"))

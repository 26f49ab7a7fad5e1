"""Profiles in the config file, under options and environment; auth check; --rate-limit."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zentrunk_async.cli import main
from zentrunk_async.cli._profiles import resolve
from zentrunk_async.testing import EmulatorServer


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_config(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("ZENTRUNK_CONFIG", str(path))
    return path


def profile_text(server: EmulatorServer, name: str = "local", token: str | None = None) -> str:
    return (
        f"[profiles.{name}]\n"
        f'auth_id = "{server.auth_id}"\n'
        f'auth_token = "{token or server.auth_token}"\n'
        f'base_url = "{server.base_url}"\n'
        "rate_limit = 145\n"
    )


def test_profile_by_name_and_default(
    capsys: pytest.CaptureFixture[str], config: Path, zentrunk_emulator_server: EmulatorServer
) -> None:
    server = zentrunk_emulator_server
    write_config(config, profile_text(server))
    code, out, err = run(capsys, "--profile", "local", "trunks", "list", "-o", "json")
    assert (code, json.loads(out)) == (0, []), err
    # Without --profile: default_profile, else the profile named "default".
    write_config(config, 'default_profile = "local"\n' + profile_text(server))
    assert run(capsys, "trunks", "list", "-o", "json")[0] == 0
    write_config(config, profile_text(server, name="default"))
    assert run(capsys, "trunks", "list", "-o", "json")[0] == 0


def test_environment_overrides_the_profile(
    capsys: pytest.CaptureFixture[str],
    config: Path,
    zentrunk_emulator_server: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_config(config, profile_text(zentrunk_emulator_server, name="default"))
    monkeypatch.setenv("PLIVO_AUTH_TOKEN", "wrong-token-from-env")
    code, _, err = run(capsys, "trunks", "list")
    assert code == 1
    assert "authentication failed (401)" in err
    assert "wrong-token-from-env" not in err


def test_token_from_a_named_environment_variable(
    capsys: pytest.CaptureFixture[str],
    config: Path,
    zentrunk_emulator_server: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = zentrunk_emulator_server
    write_config(
        config,
        f'[profiles.default]\nauth_id = "{server.auth_id}"\nauth_token_env = "MY_TOKEN"\n'
        f'base_url = "{server.base_url}"\n',
        mode=0o644,  # no token in the file: others may read it
    )
    monkeypatch.setenv("MY_TOKEN", server.auth_token)
    assert run(capsys, "trunks", "list")[0] == 0


def test_a_token_in_a_readable_file_is_refused(
    capsys: pytest.CaptureFixture[str], config: Path, zentrunk_emulator_server: EmulatorServer
) -> None:
    write_config(config, profile_text(zentrunk_emulator_server, name="default"), mode=0o644)
    code, out, err = run(capsys, "trunks", "list")
    assert code == 2
    assert out == ""
    (line,) = err.splitlines()
    assert "readable by others (mode 0644)" in line
    assert f"chmod 600 {config}" in line
    assert zentrunk_emulator_server.auth_token not in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[profiles.default\nauth_id = 1", "bad config file"),
        ("[profiles.default]\nauth_token_file = 'x'\n", "unknown key 'auth_token_file'"),
        ("[profiles.default]\nrate_limit = 301\n", "from 1 to 300"),
        ("[profile.default]\n", "unknown top-level key(s) profile"),
        ('default_profile = "prod"\n', "default_profile 'prod' is not a profile"),
    ],
)
def test_bad_config_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], config: Path, text: str, expected: str
) -> None:
    write_config(config, text)
    code, _, err = run(capsys, "trunks", "list")
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith("zentrunk: error: ")
    assert expected in line
    assert str(config) in line


def test_unknown_profile_lists_the_known(
    capsys: pytest.CaptureFixture[str], config: Path, zentrunk_emulator_server: EmulatorServer
) -> None:
    write_config(config, profile_text(zentrunk_emulator_server, name="staging"))
    code, _, err = run(capsys, "--profile", "prod", "trunks", "list")
    assert code == 2
    assert "no profile 'prod'" in err
    assert "(profiles: staging)" in err


def test_rate_limit_from_profile_option_and_env(
    config: Path, zentrunk_emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The share reaches the client as RateLimit(requests=N, period=5 s); the option wins."""
    write_config(config, profile_text(zentrunk_emulator_server, name="default"))

    def pace(rate_limit: int | None) -> tuple[int, float]:
        settings = resolve(
            auth_id=None,
            auth_token=None,
            base_url=None,
            profile=None,
            rate_limit=rate_limit,
            allow_insecure_http=False,
        )
        limit = settings.client().rate_limit
        assert limit is not None
        return limit.requests, limit.period

    assert pace(None) == (145, 5.0)
    assert pace(60) == (60, 5.0)


@pytest.mark.parametrize("value", ["0", "301", "many"])
def test_rate_limit_option_checked(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, _, err = run(capsys, "--rate-limit", value, "trunks", "list")
    assert code == 2
    (line,) = err.splitlines()
    assert "--rate-limit" in line


def test_config_show_and_auth_check_never_print_the_token(
    capsys: pytest.CaptureFixture[str], config: Path, zentrunk_emulator_server: EmulatorServer
) -> None:
    server = zentrunk_emulator_server
    write_config(config, profile_text(server, name="default"))
    code, out, err = run(capsys, "config", "show", "-o", "json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["profile"] == "default"
    assert shown["auth_token"] == "***"
    assert shown["sources"]["auth_token"] == "profile default"
    code, out, err = run(capsys, "auth", "check", "-o", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["token_works"] is True
    assert report["base_url"] == server.base_url
    assert report["auth_id"] == server.auth_id
    assert report["rate_limit"] == 145
    code, out, err = run(capsys, "auth", "check")
    for text in (out, err):
        assert server.auth_token not in text
    assert run(capsys, "config", "path")[1].strip() == str(config)


def test_auth_check_refused_token_exit_1(
    capsys: pytest.CaptureFixture[str], zentrunk_emulator_server: EmulatorServer
) -> None:
    server = zentrunk_emulator_server
    code, out, err = run(
        capsys,
        "--base-url",
        server.base_url,
        "--auth-id",
        server.auth_id,
        "--auth-token",
        "not-the-token-77",
        "auth",
        "check",
    )
    assert code == 1
    assert out == ""
    (line,) = err.splitlines()
    assert "authentication failed (401)" in line
    assert "not-the-token-77" not in err
    assert os.environ.get("PLIVO_AUTH_TOKEN") is None


def test_missing_token_variable_is_named(
    capsys: pytest.CaptureFixture[str], config: Path, zentrunk_emulator_server: EmulatorServer
) -> None:
    write_config(
        config, '[profiles.default]\nauth_id = "MA1"\nauth_token_env = "NOT_SET_ANYWHERE_42"\n'
    )
    code, _, err = run(capsys, "trunks", "list")
    assert code == 2
    assert "$NOT_SET_ANYWHERE_42, which is not set" in err


def test_demo_reads_no_config(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """The demo's account is its own emulator's: a broken config file cannot stop it."""
    write_config(config, "[profiles.default\n")
    code, out, err = run(
        capsys,
        "demo",
        "--calls",
        "40",
        "--latency-ms",
        "0",
        "--sample-pages",
        "1",
        "--no-rate-limit",
        "--out",
        str(tmp_path / "demo.jsonl"),
    )
    assert code == 0, err
    assert "Exported 40 calls" in out


def test_auth_check_names_the_account_where_the_route_exists(
    capsys: pytest.CaptureFixture[str], zentrunk_emulator_server: EmulatorServer
) -> None:
    """GET /v1/Account/{auth_id}/ answered: its name and type are shown (respx stands in)."""
    import httpx
    import respx

    server = zentrunk_emulator_server
    account_url = f"{server.base_url}/v1/Account/{server.auth_id}/"
    with respx.mock(assert_all_called=True) as mock:
        mock.get(account_url).mock(
            return_value=httpx.Response(
                200, json={"auth_id": server.auth_id, "name": "Acme", "account_type": "standard"}
            )
        )
        mock.route().pass_through()
        code, out, err = run(
            capsys,
            "--base-url",
            server.base_url,
            "--auth-id",
            server.auth_id,
            "--auth-token",
            server.auth_token,
            "auth",
            "check",
            "-o",
            "json",
        )
    assert code == 0, err
    report = json.loads(out)
    assert (report["account_name"], report["account_type"]) == ("Acme", "standard")
    assert report["checked_with"].startswith("GET /v1/Account/{auth_id}/ and")

"""A refused setting stops every command at start, naming the variable but never its value."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from skillmeat.cli.main import app
from skillmeat.config import Settings, get_settings, settings_error


@pytest.mark.parametrize("token", ["", " ", "\t\n", "   "])
def test_a_blank_api_token_stops_every_command_with_a_clear_message(
        runner: CliRunner, cli_env: Path, monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("SKILLMEAT_API_TOKEN", token)
    get_settings.cache_clear()
    # `serve` is proved inside a network namespace (tests/api/test_non_loopback.py).
    for args in (["sources", "list"], ["db", "upgrade"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "SKILLMEAT_API_TOKEN is set but empty" in result.output
        assert "Traceback" not in result.output


def test_a_refused_token_is_never_repeated_in_the_message(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMEAT_API_TOKEN", "sekrit part2")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "sekrit" not in settings_error(refused.value) and "sekrit" not in str(refused.value)
    assert "SKILLMEAT_API_TOKEN must not contain spaces" in settings_error(refused.value)


def test_auth_is_on_only_with_a_real_token_whichever_way_settings_were_made() -> None:
    assert Settings(api_token=SecretStr("  real-token \n")).auth_token == "real-token"
    assert not Settings().auth_enabled
    # Settings copied past validation (tests swap them at run time) keep the same meaning.
    blank = Settings().model_copy(update={"api_token": SecretStr("   ")})
    assert blank.auth_token is None and not blank.auth_enabled

"""Settings are read from the environment with types and safe production defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tinhso.config.env import env_bool, env_choice, env_int, env_list

ROOT = Path(__file__).resolve().parents[4]


def _settings_in_subprocess(env: dict[str, str], expr: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a clean interpreter with exactly `env` (plus PATH)."""
    code = f"import tinhso.config.settings as s; print({expr})"
    clean = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT / "src"), **env}
    return subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_is_the_default_and_needs_a_secret_key() -> None:
    # given no TINHSO_ENV and no SECRET_KEY
    # when the settings load
    result = _settings_in_subprocess({}, "s.DEBUG")
    # then start-up refuses, naming the variable
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_safe() -> None:
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50},
        "(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(False, True, True, 31536000, [])"


def test_debug_cannot_be_switched_on_in_production() -> None:
    result = _settings_in_subprocess({"SECRET_KEY": "x" * 50, "DEBUG": "1"}, "s.DEBUG")
    assert result.returncode != 0
    assert "DEBUG must stay off in production" in result.stderr


def test_development_mode_runs_with_debug_and_sqlite_under_var() -> None:
    result = _settings_in_subprocess(
        {"TINHSO_ENV": "development"}, "(s.DEBUG, s.DATABASES['default']['ENGINE'])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(True, 'django.db.backends.sqlite3')"


def test_redis_url_switches_queue_and_cache_to_redis() -> None:
    result = _settings_in_subprocess(
        {"TINHSO_ENV": "development", "REDIS_URL": "redis://127.0.0.1:6379/3"},
        "(s.HUEY['huey_class'], s.CACHES['default']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert "RedisHuey" in result.stdout
    assert "RedisCache" in result.stdout


def test_database_url_selects_postgresql() -> None:
    result = _settings_in_subprocess(
        {"TINHSO_ENV": "development", "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"},
        "s.DATABASES['default']['ENGINE']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "tinhso.postgresql"  # Django's, with a cheaper health check


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("off", False), ("0", False)]
)
def test_env_bool_parses(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("TINHSO_X", raw)
    assert env_bool("TINHSO_X", not expected) is expected


def test_env_parsers_reject_garbage_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINHSO_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="TINHSO_X"):
        env_bool("TINHSO_X", False)
    monkeypatch.setenv("TINHSO_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="TINHSO_N"):
        env_int("TINHSO_N", 1)
    monkeypatch.setenv("TINHSO_C", "staging")
    with pytest.raises(ImproperlyConfigured, match="TINHSO_C"):
        env_choice("TINHSO_C", "production", {"production", "development"})


def test_env_list_splits_and_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINHSO_L", " a.gov.vn, ,b.gov.vn ")
    assert env_list("TINHSO_L", []) == ["a.gov.vn", "b.gov.vn"]

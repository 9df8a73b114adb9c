"""Test-wide set-up: the test environment and shared fixtures live in tinhso.testing."""

import os

os.environ.setdefault("TINHSO_ENV", "test")
os.environ.setdefault("TINHSO_HUEY_IMMEDIATE", "1")

pytest_plugins = [
    "tinhso.testing.fixtures",
    "tinhso.testing.browser",
    "tinhso.testing.signing",
    "tinhso.testing.eoffice",
]

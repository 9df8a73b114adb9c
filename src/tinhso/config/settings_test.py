"""Settings for the test suite: the test environment, then the one settings module.

pytest-django imports settings before any conftest runs, so the environment is set here.
"""

import os

os.environ.setdefault("TINHSO_ENV", "test")
os.environ.setdefault("TINHSO_HUEY_IMMEDIATE", "1")

from tinhso.config.settings import *  # noqa: F403

"""The back-off arithmetic: waits of 1 min, 5 min, 30 min, 2 h, 12 h, then give up."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinhso.notifications.retry import BACKOFF, DEFAULT_MAX_ATTEMPTS, next_attempt_at

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (1, dt.timedelta(minutes=1)),
        (2, dt.timedelta(minutes=5)),
        (3, dt.timedelta(minutes=30)),
        (4, dt.timedelta(hours=2)),
        (5, dt.timedelta(hours=12)),
    ],
)
def test_the_waits_of_the_default_schedule(attempts: int, wait: dt.timedelta) -> None:
    assert next_attempt_at(attempts=attempts, max_attempts=6, now=NOW) == NOW + wait


def test_the_sixth_failure_gives_up_by_default() -> None:
    assert DEFAULT_MAX_ATTEMPTS == 6
    assert next_attempt_at(attempts=6, max_attempts=DEFAULT_MAX_ATTEMPTS, now=NOW) is None


def test_beyond_the_schedule_the_last_wait_repeats() -> None:
    assert next_attempt_at(attempts=8, max_attempts=10, now=NOW) == NOW + dt.timedelta(hours=12)


def test_it_is_asked_only_after_a_failure() -> None:
    with pytest.raises(ValueError, match="at least one"):
        next_attempt_at(attempts=0, max_attempts=6, now=NOW)


@given(attempts=st.integers(1, 50), max_attempts=st.integers(-3, 50))
def test_gives_up_exactly_at_the_maximum_and_waits_grow(attempts: int, max_attempts: int) -> None:
    when = next_attempt_at(attempts=attempts, max_attempts=max_attempts, now=NOW)
    # a maximum below one still allows the one attempt made
    if attempts >= max(max_attempts, 1):
        assert when is None
    else:
        assert when is not None
        assert dt.timedelta(minutes=1) <= when - NOW <= BACKOFF[-1]
        later = next_attempt_at(attempts=attempts + 1, max_attempts=max_attempts + 1, now=NOW)
        assert later is not None and later >= when

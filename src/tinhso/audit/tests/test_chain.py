"""The pure hash chain: hashing, verification of a sequence of links, the head check."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tinhso.audit import chain
from tinhso.audit.chain import (
    EMPTY_HEAD,
    GENESIS_HASH,
    ChainLink,
    Head,
    canonical_json_value,
    check_against_head,
    link_hash,
    verify_links,
)


def build_chain(count: int) -> list[tuple[ChainLink, str]]:
    links, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        link = ChainLink(
            seq=seq,
            occurred_at=f"2026-01-01T00:00:{seq:02d}.000000+00:00",
            actor_id=7,
            actor_label="nguyenvana",
            agency_id=3,
            action="accounts.user.update",
            object_type="accounts.user",
            object_id=str(seq),
            object_repr=f"Nguyễn Văn {seq}",
            changes={"full_name": ["Cũ", f"Mới {seq}"]},
            request_id="req-00000001",
            ip_address="10.0.0.1",
            prev_hash=prev,
        )
        digest = link_hash(link)
        links.append((link, digest))
        prev = digest
    return links


def test_hash_covers_every_field() -> None:
    # given
    link, digest = build_chain(1)[0]
    # when / then: changing any one field changes the hash
    for field in dataclasses.fields(ChainLink):
        value = getattr(link, field.name)
        other = "x" if isinstance(value, str) else ({"x": 1} if field.name == "changes" else 999)
        changed: dict[str, Any] = {field.name: other}
        assert link_hash(dataclasses.replace(link, **changed)) != digest, field.name


def test_intact_chain_verifies_with_count() -> None:
    # given
    links = build_chain(5)
    # when
    result = verify_links(links)
    # then
    assert result.intact and result.checked == 5 and result.last_hash == links[-1][1]


def test_empty_chain_is_intact() -> None:
    assert verify_links([]) == chain.VerifyResult(True, 0)


def test_changed_content_is_the_first_broken_link() -> None:
    # given
    links = build_chain(5)
    link, digest = links[2]
    links[2] = (dataclasses.replace(link, object_repr="Đã sửa"), digest)
    # when
    result = verify_links(links)
    # then
    assert (result.intact, result.checked, result.broken_seq, result.problem) == (
        False,
        2,
        3,
        chain.CONTENT,
    )


def test_missing_row_is_a_gap() -> None:
    links = build_chain(5)
    del links[1]
    result = verify_links(links)
    assert (result.broken_seq, result.problem) == (3, chain.GAP)


def test_reordered_rows_break_the_links() -> None:
    # given: rows 2 and 3 swap places, each renumbered into the other's seq
    links = build_chain(5)
    (l2, h2), (l3, h3) = links[1], links[2]
    links[1] = (dataclasses.replace(l3, seq=2), h3)
    links[2] = (dataclasses.replace(l2, seq=3), h2)
    # when
    result = verify_links(links)
    # then
    assert (result.broken_seq, result.problem) == (2, chain.PREV_HASH)


def test_rehashed_row_still_breaks_the_next_link() -> None:
    # given: a forger changes row 2 and recomputes its hash, but cannot fix row 3 without the rest
    links = build_chain(4)
    forged = dataclasses.replace(links[1][0], object_repr="Giả mạo")
    links[1] = (forged, link_hash(forged))
    # when
    result = verify_links(links)
    # then
    assert (result.broken_seq, result.problem) == (3, chain.PREV_HASH)


def test_head_check_accepts_rows_appended_during_the_run() -> None:
    links = build_chain(5)
    result = verify_links(links[:4])
    before, after = Head(3, links[2][1]), Head(5, links[4][1])
    assert check_against_head(result, before, after).intact


def test_head_check_finds_removed_last_rows() -> None:
    # given: the last two rows are gone, the head still says 5
    links = build_chain(5)
    result = verify_links(links[:3])
    head = Head(5, links[4][1])
    # when
    checked = check_against_head(result, head, head)
    # then
    assert (checked.intact, checked.broken_seq, checked.problem) == (False, 4, chain.HEAD)


def test_head_check_finds_a_head_moved_back() -> None:
    links = build_chain(5)
    result = verify_links(links)
    head = Head(3, links[2][1])
    checked = check_against_head(result, head, head)
    assert (checked.intact, checked.broken_seq, checked.problem) == (False, 4, chain.HEAD)


def test_head_check_finds_a_head_with_another_hash() -> None:
    links = build_chain(3)
    result = verify_links(links)
    head = Head(3, "f" * 64)
    assert check_against_head(result, head, head).problem == chain.HEAD


def test_rows_without_a_head_are_broken() -> None:
    result = verify_links(build_chain(2))
    assert not check_against_head(result, EMPTY_HEAD, EMPTY_HEAD).intact


def test_head_check_keeps_an_earlier_break() -> None:
    links = build_chain(3)
    del links[0]
    result = verify_links(links)
    assert check_against_head(result, EMPTY_HEAD, EMPTY_HEAD) is result


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


def _as_numeric_storage(value: object) -> object:
    """What PostgreSQL's jsonb gives back: each number kept as `numeric`, printed without
    an exponent (1e+16 → 10000000000000000, 1.5e-07 → 0.00000015, 1.0 → 1.0)."""

    def through_numeric(text: str) -> object:
        printed = format(Decimal(text), "f")
        return float(printed) if "." in printed else int(printed)

    return json.loads(json.dumps(value), parse_float=through_numeric, parse_int=through_numeric)


def test_large_numbers_hash_alike_as_float_and_as_integer() -> None:
    assert canonical_json_value(5.863018765402437e16) == canonical_json_value(58630187654024370)
    assert canonical_json_value(2**60 + 1) != canonical_json_value(2**60 + 2)


@given(json_values)
def test_canonical_value_does_not_depend_on_numeric_storage(value: Any) -> None:
    # given a value as written, and as jsonb may read it back (1e16 → 10000000000000000)
    stored = _as_numeric_storage(value)
    # then both hash alike
    assert json.dumps(canonical_json_value(value), sort_keys=True) == json.dumps(
        canonical_json_value(stored), sort_keys=True
    )

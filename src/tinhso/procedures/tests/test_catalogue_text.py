"""The parsers of the national catalogue's flattened strings, on the strings met in practice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tinhso.procedures.catalogue_text import (
    ChannelInfo,
    ParsedComponent,
    ParsedFee,
    parse_amount,
    parse_channels,
    parse_components,
    parse_fees,
    parse_levels,
    parse_result,
    strip_header,
)

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def test_channels_with_time_unit_and_fee_glued_together() -> None:
    channels = parse_channels(
        HEADER + "Trực tiếp3 Ngày làm việc1,500,000 VNĐ(lệ phí)- Nộp hồ sơ trực tiếp; hoặc"
        "Trực tuyến1Miễn phí"
    )
    assert channels == [
        ChannelInfo(
            "Trực tiếp",
            Decimal(3),
            "working_days",
            "1,500,000 VNĐ(lệ phí)- Nộp hồ sơ trực tiếp; hoặc",
        ),
        ChannelInfo("Trực tuyến", Decimal(1), None, "Miễn phí"),
    ]


@pytest.mark.parametrize(
    ("block", "amount", "unit"),
    [
        ("Dịch vụ bưu chính24 Giờ", Decimal(24), "working_hours"),
        ("Trực tiếp8 Giờ làm việc", Decimal(8), "working_hours"),
        ("Trực tiếp15 Ngày", Decimal(15), "calendar_days"),
        ("Trực tiếp3 Tháng", Decimal(3), "months"),
        ("Trực tiếp0,5 Ngày làm việc", Decimal("0.5"), "working_days"),
        ("Trực tiếp1100 VNĐ(Miễn phí đối với …)", None, None),  # no time: the fee follows
        ("Trực tiếp25 USD", None, None),
        ("Trực tiếpKhông có thông tin50,000 Việt Nam Đồng", None, None),
    ],
)
def test_channel_times(block: str, amount: Decimal | None, unit: str | None) -> None:
    [channel] = parse_channels(HEADER + block)
    assert (channel.amount, channel.unit) == (amount, unit)


def test_a_channel_name_inside_a_description_does_not_start_a_channel() -> None:
    channels = parse_channels(
        HEADER + "Trực tuyến5 Ngày làm việcMiễn phíNộp Trực tiếp tại Bộ phận Một cửa"
    )
    assert [c.channel for c in channels] == ["Trực tuyến"]
    assert channels[0].fee_text == "Miễn phíNộp Trực tiếp tại Bộ phận Một cửa"


def test_no_information_gives_no_channel() -> None:
    assert parse_channels("Không có thông tin") == []
    assert parse_channels("") == []


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1,500,000", Decimal(1500000)),
        ("1.500.000", Decimal(1500000)),
        ("25", Decimal(25)),
        ("0,5", Decimal("0.5")),
        ("2.5", Decimal("2.5")),
        ("x", None),
    ],
)
def test_amounts_in_both_notations(text: str, amount: Decimal | None) -> None:
    assert parse_amount(text) == amount


def test_fees_in_dong_and_dollars_with_nested_notes() -> None:
    assert parse_fees("1,500,000 VNĐ(Lệ phí (miễn đến 30/6/2026))- Nộp hồ sơ") == [
        ParsedFee("Lệ phí", Decimal(1500000), "VND", "Lệ phí (miễn đến 30/6/2026)")
    ]
    assert parse_fees("500,000 Việt Nam Đồng(Áp dụng mức phí: 250.000 đồng)") == [
        ParsedFee("Phí", Decimal(500000), "VND", "Áp dụng mức phí: 250.000 đồng")
    ]
    assert parse_fees("25 USD(Cấp thị thực có giá trị một lần)") == [
        ParsedFee("Phí, lệ phí", Decimal(25), "USD", "Cấp thị thực có giá trị một lần")
    ]
    assert parse_fees("8.000 đồng") == [ParsedFee("Phí, lệ phí", Decimal(8000), "VND", "")]


def test_two_fees_in_a_row_and_an_unbalanced_note() -> None:
    assert parse_fees("25 USD(một lần)50 USD(nhiều lần") == [
        ParsedFee("Phí, lệ phí", Decimal(25), "USD", "một lần"),
        ParsedFee("Phí, lệ phí", Decimal(50), "USD", "nhiều lần"),
    ]


@pytest.mark.parametrize(
    "text", ["Miễn phí", "Miễn phí(Phí cấp bản sao …)", "Không có thông tin", "", "Theo quy định"]
)
def test_no_fee(text: str) -> None:
    assert parse_fees(text) == []


@pytest.mark.parametrize(
    ("text", "levels", "leftover"),
    [
        ("Cấp tỉnh, Cấp xã", ["province", "commune"], ""),
        ("Cấp bộ", ["central"], ""),
        ("Cấp bộ, ngành, Cấp tỉnh", ["central", "province"], ""),
        ("Cấp xã, Cơ quan khác", ["commune"], "Cơ quan khác"),
        ("Cấp huyện", ["district"], ""),
        ("Cơ quan khác", [], "Cơ quan khác"),
        ("Cấp tỉnh, Cấp tỉnh", ["province"], ""),
    ],
)
def test_levels(text: str, levels: list[str], leftover: str) -> None:
    assert parse_levels(text) == (levels, leftover)


def test_components_with_sections_forms_and_notes() -> None:
    text = (
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "- Tờ khai theo mẫu;Mau 6.6.docx1 bản chính"
        "Tờ khai đề nghị (mẫu NA5) của Bộ Công an.NA5 (1).doc1 bản chính"
        "Giấy đề nghị cấp phép theo mẫuTK 1.010702.docx1 bản chính"
        "- Hợp đồng thuê tàu bay;0 bản chính,1 bản sao"
        "Trường hợp nộp trực tuyến thì không phải nộp bản giấy.0 bản chính"
        "* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "- Hộ chiếu hoặc thẻ căn cước.1 bản chính"
        "* Lưu ý:Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "- Người tiếp nhận kiểm tra, đối chiếu.1 bản chính"
    )
    assert parse_components(text) == [
        ParsedComponent("Tờ khai theo mẫu", 1, 0, "Mau 6.6.docx", False),
        ParsedComponent("Tờ khai đề nghị (mẫu NA5) của Bộ Công an", 1, 0, "NA5 (1).doc", False),
        ParsedComponent("Giấy đề nghị cấp phép theo mẫu", 1, 0, "TK 1.010702.docx", False),
        ParsedComponent("Hợp đồng thuê tàu bay", 0, 1, "", False),
        ParsedComponent("Hộ chiếu hoặc thẻ căn cước", 1, 0, "", True),
    ]


def test_a_component_cut_short_is_left_out() -> None:
    text = "--Tên giấy tờMẫu đơn, tờ khaiSố lượngĐơn đề nghị1 bản chínhQuyết định của tổ chức chủ q"
    assert [c.name for c in parse_components(text)] == ["Đơn đề nghị"]


def test_copies_only() -> None:
    text = "--Tên giấy tờMẫu đơn, tờ khaiSố lượngBản sao giấy tờ tùy thân2 bản sao"
    assert parse_components(text) == [ParsedComponent("Bản sao giấy tờ tùy thân", 0, 2, "", False)]


def test_result_name_and_code() -> None:
    assert parse_result("Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tin") == (
        "Giấy khai sinh",
        "KQ.G15.000031",
    )
    assert parse_result("- Giấy chứng nhậnTừ khóa…") == ("Giấy chứng nhận", "")
    assert parse_result("Không có thông tin") == ("", "")


def test_legal_basis_header() -> None:
    assert strip_header(
        "Tên văn bản pháp lýMã văn bảnLuật Hộ tịch60/2014/QH13", "Tên văn bản pháp lýMã văn bản"
    ) == ("Luật Hộ tịch60/2014/QH13")

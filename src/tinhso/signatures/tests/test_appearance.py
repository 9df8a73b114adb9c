"""Where the visible signatures of Nghị định 30/2020 Phụ lục I go, found in the text layer."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tinhso.signatures import appearance, images, signing
from tinhso.signatures.appearance import MM, Box
from tinhso.signatures.tests import pdfs

NOW = datetime(2026, 11, 26, 7, 3, 12, tzinfo=UTC)  # 14:03:12 in Vietnam
A4 = (0.0, 0.0, 595.28, 841.89)


def reader_of(data: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(data), strict=False)


def line_containing(lines: list[appearance.TextLine], text: str) -> appearance.TextLine:
    return next(line for line in lines if appearance.normalise(text) in line.text)


def centre_x(box: Box) -> float:
    return (box[0] + box[2]) / 2


def centre_y(box: Box) -> float:
    return (box[1] + box[3]) / 2


# --- The text layer --------------------------------------------------------------------------


def test_the_lines_of_the_last_page_are_read_with_their_positions() -> None:
    # when
    lines = appearance.text_lines(pdfs.official_document())

    # then the signature block is there, in the right half of the page, title above name
    name = line_containing(lines, "Nguyễn Văn An")
    title = line_containing(lines, "PHÓ CHỦ TỊCH")
    assert name.text == "nguyễn văn an"
    assert name.left > A4[2] / 2
    assert title.baseline - name.baseline > 25 * MM  # the 30 mm gap for the signature
    assert 13 < name.size < 15  # the document is set in 14 pt


def test_the_title_and_the_name_of_a_centred_block_share_their_centre() -> None:
    # given (the glyph widths come from the PDF fonts: a wrong width would shift the centre)
    lines = appearance.text_lines(pdfs.official_document())

    # when
    name = line_containing(lines, "Nguyễn Văn An")
    title = line_containing(lines, "PHÓ CHỦ TỊCH")
    kt = line_containing(lines, "KT. CHỦ TỊCH")

    # then
    assert (name.left + name.right) / 2 == pytest.approx((title.left + title.right) / 2, abs=2)
    assert (name.left + name.right) / 2 == pytest.approx((kt.left + kt.right) / 2, abs=2)
    assert name.right - name.left == pytest.approx(98.4, abs=3)  # Liberation Serif Bold 14 pt


def test_words_placed_one_by_one_are_joined_into_lines_and_table_cells_kept_apart() -> None:
    # when
    lines = appearance.text_lines(pdfs.word_by_word())

    # then the two pieces of the name are one line, 370 pt to the end of "An" (Helvetica
    # 14 pt: "Nguyen " is 52.13 pt, "Van An" 45.92 pt)
    name = line_containing(lines, "Nguyen Van An")
    assert name.text == "nguyen van an"
    assert name.left == pytest.approx(370)
    assert name.right == pytest.approx(422.13 + 45.92, abs=0.05)
    # "Noi nhan:" shares the title's baseline but is another cell
    assert line_containing(lines, "PHO CHU TICH").text == "pho chu tich"
    assert line_containing(lines, "Noi nhan:").text == "noi nhan:"

    # and the signature goes between the title and the name, centred on the name
    block = appearance.find_signature_block(lines, page_box=A4, name="Nguyen Van An")
    assert block is not None
    assert block.centre_x == pytest.approx((370 + 422.13 + 45.92) / 2, abs=0.05)
    assert block.bottom == pytest.approx(520 + 0.8 * 14)
    assert block.top == pytest.approx(620 - 0.25 * 14)


def test_normalise_composes_lowers_and_collapses_spaces() -> None:
    assert (
        appearance.normalise(unicodedata.normalize("NFD", " NGUYỄN  Văn\tAn ")) == "nguyễn văn an"
    )


# --- The competent person's signature --------------------------------------------------------


def test_the_signature_is_centred_between_the_title_and_the_name() -> None:
    # given
    data = pdfs.official_document()
    lines = appearance.text_lines(data)
    name = line_containing(lines, "Nguyễn Văn An")
    title = line_containing(lines, "PHÓ CHỦ TỊCH")
    wanted = appearance.person_signature(
        image=images.signature_image(pdfs.LEADER_NAME), signer_name=pdfs.LEADER_NAME
    )

    # when
    placement = appearance.place(wanted, data=data, reader=reader_of(data), now=NOW)

    # then on the last page, centred on the name, in the gap between title and name
    assert placement.page == -1
    box = placement.box
    assert centre_x(box) == pytest.approx((name.left + name.right) / 2, abs=0.5)
    assert box[1] > name.baseline + 0.5 * name.size
    assert box[3] < title.baseline
    assert centre_y(box) == pytest.approx(
        (name.baseline + 0.8 * name.size + title.baseline - 0.25 * title.size) / 2, abs=1
    )
    assert box[2] - box[0] <= appearance.SIGNATURE_MAX_WIDTH_MM * MM + 0.01


def test_the_signature_keeps_the_proportions_of_its_image() -> None:
    # given
    data = pdfs.official_document()
    png = images.signature_image(pdfs.LEADER_NAME)
    picture = appearance._prepared_image(png)

    # when
    placement = appearance.place(
        appearance.person_signature(image=png, signer_name=pdfs.LEADER_NAME),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then
    left, bottom, right, top = placement.box
    assert (right - left) / (top - bottom) == pytest.approx(
        picture.width / picture.height, rel=0.01
    )


def test_the_name_is_found_however_it_is_typed() -> None:
    # given the name in decomposed Unicode and capitals, a title in lower case
    data = pdfs.official_document()
    reference = appearance.place(
        appearance.person_signature(
            image=images.signature_image("A"), signer_name=pdfs.LEADER_NAME
        ),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # when
    placement = appearance.place(
        appearance.person_signature(
            image=images.signature_image("A"),
            signer_name=unicodedata.normalize("NFD", pdfs.LEADER_NAME.upper()),
            title="phó chủ tịch",
        ),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then
    assert placement.box == pytest.approx(reference.box)


def test_without_the_name_the_block_is_found_by_the_gap_above_the_last_line() -> None:
    # given a document signed by someone else than the name searched for
    data = pdfs.official_document(name="Trần Thị Bích Ngọc")
    lines = appearance.text_lines(data)
    name = line_containing(lines, "Trần Thị Bích Ngọc")

    # when
    placement = appearance.place(
        appearance.person_signature(image=images.signature_image("A"), signer_name="Không Có Tên"),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then the signature is still above the name at the bottom of the right column
    assert centre_x(placement.box) == pytest.approx((name.left + name.right) / 2, abs=0.5)
    assert placement.box[1] > name.baseline


def test_a_page_without_text_gets_the_configured_box() -> None:
    # given a scan without a text layer and a box chosen by the agency
    data = pdfs.blank_pages(2)
    configured: Box = (350.0, 200.0, 500.0, 300.0)

    # when
    placement = appearance.place(
        appearance.person_signature(
            image=images.signature_image(pdfs.LEADER_NAME),
            signer_name=pdfs.LEADER_NAME,
            fallback=configured,
        ),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then the picture is centred in that box, as large as it fits
    assert placement.page == -1
    left, bottom, right, top = placement.box
    assert centre_x(placement.box) == pytest.approx(425)
    assert centre_y(placement.box) == pytest.approx(250)
    assert right - left == pytest.approx(150) or top - bottom == pytest.approx(100)
    assert left >= 350 - 1e-6 and right <= 500 + 1e-6 and bottom >= 200 - 1e-6 and top <= 300 + 1e-6


def test_a_page_without_text_and_no_box_configured_gets_the_lower_right_of_the_page() -> None:
    # given
    data = pdfs.blank_pages(1)

    # when
    placement = appearance.place(
        appearance.person_signature(image=images.signature_image("A"), signer_name="A"),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then
    assert centre_x(placement.box) > A4[2] / 2
    assert centre_y(placement.box) < A4[3] / 2


def test_a_multi_page_document_is_signed_on_its_last_page() -> None:
    # given
    data = pdfs.official_document(pages=3)

    # when
    lines = appearance.text_lines(data, -1)
    first_page = appearance.text_lines(data, 0)

    # then the signature block is on the last page only
    assert any("nguyễn văn an" in line.text for line in lines)
    assert not any("nguyễn văn an" in line.text for line in first_page)


# --- The agency's seal -----------------------------------------------------------------------


def test_the_seal_covers_the_left_third_of_the_persons_signature(
    software_pki: pdfs.SoftwarePki,
) -> None:
    # given a decision signed by the leader with a visible signature
    signed = signing.sign_pdf(
        pdfs.official_document(),
        signer=software_pki.person,
        level="B-B",
        appearance=appearance.person_signature(
            image=images.signature_image(pdfs.LEADER_NAME), signer_name=pdfs.LEADER_NAME
        ),
        now=NOW,
    )
    person = person_widget_box(signed)

    # when the agency's seal is placed
    placement = appearance.place(
        appearance.seal(image=images.seal_image(pdfs.AGENCY_NAME)),
        data=signed,
        reader=reader_of(signed),
        now=NOW,
    )

    # then: true size, its right edge a third into the signature, level with it
    left, bottom, right, top = placement.box
    assert right - left == pytest.approx(36 * MM)
    assert top - bottom == pytest.approx(36 * MM)
    assert right == pytest.approx(person[0] + (person[2] - person[0]) / 3)
    assert centre_y(placement.box) == pytest.approx(centre_y(person))
    assert placement.page == -1


def test_without_a_visible_signature_the_seal_goes_by_the_signature_block() -> None:
    # given an unsigned decision (the leader signed without an image)
    data = pdfs.official_document()
    person = appearance.place(
        appearance.person_signature(
            image=images.signature_image(pdfs.LEADER_NAME), signer_name=pdfs.LEADER_NAME
        ),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # when
    placement = appearance.place(
        appearance.seal(image=images.seal_image(pdfs.AGENCY_NAME), signer_name=pdfs.LEADER_NAME),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then it overlaps the place where the person's signature is drawn
    assert placement.box[2] > person.box[0]
    assert placement.box[2] < person.box[2]
    assert centre_y(placement.box) == pytest.approx(centre_y(person.box), abs=1)


def test_the_seal_can_be_another_size() -> None:
    # given
    data = pdfs.blank_pages(1)

    # when
    placement = appearance.place(
        appearance.seal(
            image=images.seal_image("A"), diameter_mm=40, fallback=(300, 100, 450, 160)
        ),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then the configured box stands for the person's signature
    left, _bottom, right, _top = placement.box
    assert right - left == pytest.approx(40 * MM)
    assert right == pytest.approx(300 + 150 / 3)
    assert centre_y(placement.box) == pytest.approx(130)


# --- Attachments and copies ------------------------------------------------------------------


def test_signing_time_is_printed_in_vietnam_time_iso_8601() -> None:
    assert appearance.signing_time_text(NOW) == "2026-11-26T14:03:12+07:00"
    assert (
        appearance.signing_time_text(
            datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=timezone(timedelta(hours=-5)))
        )
        == "2026-01-02T15:04:05+07:00"
    )
    with pytest.raises(ValueError, match="time zone"):
        appearance.signing_time_text(datetime(2026, 1, 1))


def test_the_attachment_box_is_at_the_top_right_of_page_1_with_the_signing_time() -> None:
    # given a three-page appendix
    data = pdfs.official_document(pages=3)

    # when
    placement = appearance.place(
        appearance.attachment_box(number_notation="15/QĐ-UBND"),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then
    assert placement.page == 0
    _left, bottom, right, top = placement.box
    assert right == pytest.approx(A4[2] - 15 * MM, abs=0.1)
    assert top == pytest.approx(A4[3] - 7 * MM, abs=0.1)
    assert top - bottom < 12 * MM
    assert placement.text_params["number_notation"] == "15/QĐ-UBND"
    assert placement.text_params["signed_at"] == "2026-11-26T14:03:12+07:00"


def test_the_box_is_as_wide_as_its_longest_line_in_times_10_pt() -> None:
    # given
    data = pdfs.blank_pages(1)
    metrics = appearance._font_metrics(appearance.serif_font_path())

    # when
    placement = appearance.place(
        appearance.attachment_box(number_notation="1234/QĐ-UBND"),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then
    longest = metrics.width("Thời gian ký: 2026-11-26T14:03:12+07:00", 10)
    assert 160 < longest < 190
    assert placement.box[2] - placement.box[0] == pytest.approx(longest + 5, abs=0.5)


def test_a_copy_box_names_the_form_of_copy_and_the_copying_agency() -> None:
    # given
    wanted = appearance.copy_box(
        copy_form="Sao y", agency_name="Văn phòng UBND tỉnh", number_notation="05/SY-VP"
    )
    data = pdfs.blank_pages(1)

    # when
    placement = appearance.place(wanted, data=data, reader=reader_of(data), now=NOW)

    # then
    lines = [line % placement.text_params for line in wanted.lines]
    assert lines == [
        "SAO Y",
        "Văn phòng UBND tỉnh",
        "Số, ký hiệu: 05/SY-VP",
        "Thời gian ký: 2026-11-26T14:03:12+07:00",
    ]


def test_a_value_with_a_percent_sign_is_printed_as_it_is() -> None:
    # given a notation a template would choke on
    data = pdfs.blank_pages(1)

    # when
    placement = appearance.place(
        appearance.attachment_box(number_notation="15/QĐ-UBND %(x)s 100%"),
        data=data,
        reader=reader_of(data),
        now=NOW,
    )

    # then
    assert placement.text_params["number_notation"] == "15/QĐ-UBND %(x)s 100%"


def test_the_serif_font_has_the_vietnamese_letters() -> None:
    # when
    path = appearance.serif_font_path()

    # then Times New Roman or Liberation Serif 2 (not Liberation 1.x, which lacks them)
    assert "times" in path.name.lower() or "liberation2" in str(path)
    assert appearance._font_metrics(path).covers("Số, ký hiệu: Thời gian ký ỦY BAN NHÂN DÂN ừựữỹ")


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def software_pki() -> pdfs.SoftwarePki:
    return pdfs.software_pki()


def person_widget_box(data: bytes) -> Box:
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = reader_of(data)
    boxes = [
        tuple(float(value) for value in reference.get_object()["/Rect"])
        for _name, _value, reference in enumerate_sig_fields(reader)
    ]
    assert len(boxes) == 1
    left, bottom, right, top = boxes[0]
    return (left, bottom, right, top)

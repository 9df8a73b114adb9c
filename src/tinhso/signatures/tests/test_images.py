"""Demo signature and seal images: transparent PNGs, blue and red, true size, deterministic."""

from __future__ import annotations

import io
import unicodedata

import pytest
from PIL import Image

from tinhso.signatures import images


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def ink_pixels(picture: Image.Image) -> list[tuple[int, int, int, int]]:
    raw = picture.convert("RGBA").tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2], raw[i + 3]) for i in range(0, len(raw), 4)]
    return [pixel for pixel in pixels if pixel[3] > 200]


def alpha(picture: Image.Image, xy: tuple[int, int]) -> int:
    pixel = picture.convert("RGBA").getpixel(xy)
    assert isinstance(pixel, tuple)
    return int(pixel[3])


def test_a_signature_is_blue_ink_on_a_transparent_background() -> None:
    # when
    picture = open_png(images.signature_image("Nguyễn Văn An"))

    # then the corners are transparent and the ink is blue
    assert picture.mode == "RGBA"
    width, height = picture.size
    for corner in [(0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)]:
        assert alpha(picture, corner) == 0
    ink = ink_pixels(picture)
    assert len(ink) > 500
    assert all(blue > red + 60 and blue > green + 60 for red, green, blue, _ in ink)


def test_a_signature_is_drawn_at_the_given_resolution() -> None:
    # when
    picture = open_png(images.signature_image("Nguyễn Văn An", dpi=150))

    # then the file says its resolution, and the picture fits in the 50 mm it was drawn on
    assert round(picture.info["dpi"][0]) == 150
    assert picture.width <= images.pixels_for(50, 150)


def test_the_same_name_gives_the_same_signature_and_another_name_another() -> None:
    # when
    first = images.signature_image("Trần Thị Bích Ngọc")
    again = images.signature_image(unicodedata.normalize("NFD", "Trần Thị Bích Ngọc"))
    other = images.signature_image("Lê Đức")

    # then
    assert first == again
    assert first != other


@pytest.mark.parametrize(("diameter_mm", "dpi"), [(36.0, 300), (40.0, 300), (36.0, 150)])
def test_a_seal_is_its_true_size(diameter_mm: float, dpi: int) -> None:
    # when
    picture = open_png(
        images.seal_image("Ủy ban nhân dân tỉnh Thử Nghiệm", dpi=dpi, diameter_mm=diameter_mm)
    )

    # then a printer at `dpi` prints it `diameter_mm` across
    expected = round(diameter_mm / 25.4 * dpi)
    assert picture.size == (expected, expected)
    assert round(picture.info["dpi"][0]) == dpi


def test_a_seal_is_red_and_round_with_a_star_in_the_middle() -> None:
    # when
    picture = open_png(images.seal_image("Sở Tư pháp tỉnh Thử Nghiệm")).convert("RGBA")

    # then outside the ring is transparent, the centre is ink (the star), all ink is red
    size = picture.width
    assert alpha(picture, (0, 0)) == 0
    assert alpha(picture, (size - 1, size - 1)) == 0
    assert alpha(picture, (size // 2, size // 2)) == 255
    ink = ink_pixels(picture)
    assert all(red > green + 100 and red > blue + 100 for red, green, blue, _ in ink)
    # the ring: ink on the outer circle at the left, right and top
    middle = size // 2
    ring = int(size * 0.025)
    assert alpha(picture, (ring, middle)) > 0
    assert alpha(picture, (size - 1 - ring, middle)) > 0
    assert alpha(picture, (middle, ring)) > 0


def test_a_seal_is_the_same_for_the_same_agency() -> None:
    assert images.seal_image("Ủy ban nhân dân xã A") == images.seal_image("Ủy ban nhân dân xã A")
    assert images.seal_image("Ủy ban nhân dân xã A") != images.seal_image("Ủy ban nhân dân xã B")


def test_a_very_long_agency_name_still_fits_on_the_ring() -> None:
    # given a name three times as long as usual
    name = "Trung tâm Phục vụ hành chính công và Kiểm soát thủ tục hành chính tỉnh Thử Nghiệm" * 2

    # when
    picture = open_png(images.seal_image(name)).convert("RGBA")

    # then the letters shrink instead of running over the outside of the seal
    size = picture.width
    assert alpha(picture, (0, 0)) == 0
    assert alpha(picture, (size - 1, 0)) == 0

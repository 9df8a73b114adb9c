"""Realistic subjects (trích yếu) of Vietnamese administrative documents, for benchmark data.

Built from the patterns registers are full of: "V/v báo cáo tình hình giải ngân vốn đầu tư
công 9 tháng năm 2025", "Về việc bổ nhiệm bà Lê Thị Hạnh giữ chức Phó Giám đốc Sở Y tế",
"Kế hoạch triển khai công tác tuyển sinh vào lớp 10 năm học 2025–2026", "Thông báo kết luận
của Phó Chủ tịch Ủy ban nhân dân tỉnh … tại buổi làm việc với …" — over the fields of a
province's work (giáo dục, y tế, đất đai, xây dựng, nội vụ, tài chính …), with place names,
people, years, periods and references to legal documents.

What clerks actually type varies, and search must cope with it, so `styled()` mixes in:

- both tone placements: the new "Hòa", "Thủy", "khỏe" and the old "Hoà", "Thuỷ", "khoẻ"
  (about a third of the texts that have such a syllable use the old one);
- text pasted in decomposed form (NFD), about 5 %;
- a few texts typed in capitals, and "V/v" against "Về việc".

`search_pairs()` gives two-word queries over the same vocabulary: common and rare words,
with and without marks.

Pure: every function takes its `random.Random`; no Django, no database (`tinhso.text` only:
the caller puts `src` on the path).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tinhso.text import fold  # pure too: the search form of a text

# --- Vocabulary -----------------------------------------------------------------------------

#: Field → topics (noun phrases that read after "tình hình", "công tác", "triển khai").
FIELDS: dict[str, tuple[str, ...]] = {
    "giáo dục": (
        "tuyển sinh vào lớp 10 năm học {y}–{y1}",
        "tổ chức Kỳ thi tốt nghiệp trung học phổ thông năm {y}",
        "sắp xếp mạng lưới trường, lớp học",
        "xây dựng trường đạt chuẩn quốc gia",
        "bồi dưỡng thường xuyên giáo viên",
        "tổ chức bữa ăn bán trú cho học sinh",
        "phổ cập giáo dục, xóa mù chữ",
        "dạy thêm, học thêm",
        "bảo đảm an toàn trường học",
        "tuyển dụng giáo viên mầm non",
        "chương trình giáo dục phổ thông 2018",
        "miễn, giảm học phí cho học sinh",
    ),
    "y tế": (
        "tiêm chủng mở rộng",
        "phòng, chống dịch sốt xuất huyết",
        "phòng, chống bệnh tay chân miệng",
        "bảo đảm an toàn thực phẩm dịp Tết Nguyên đán",
        "khám, chữa bệnh bảo hiểm y tế",
        "cung ứng thuốc, vật tư y tế",
        "khám sức khỏe định kỳ cho người lao động",
        "chăm sóc sức khỏe người cao tuổi",
        "phòng, chống dịch bệnh truyền nhiễm",
        "đấu thầu mua sắm trang thiết bị y tế",
        "nâng cao chất lượng khám, chữa bệnh tại trạm y tế xã",
    ),
    "đất đai": (
        "bồi thường, hỗ trợ, tái định cư",
        "cấp Giấy chứng nhận quyền sử dụng đất",
        "xây dựng bảng giá đất",
        "thu hồi đất, giao đất, cho thuê đất",
        "kiểm kê đất đai, lập bản đồ hiện trạng sử dụng đất",
        "đấu giá quyền sử dụng đất",
        "lập kế hoạch sử dụng đất năm {y}",
        "giải quyết tranh chấp đất đai",
        "chuyển mục đích sử dụng đất",
        "đo đạc, chỉnh lý biến động đất đai",
    ),
    "xây dựng": (
        "cấp giấy phép xây dựng",
        "quản lý trật tự xây dựng",
        "phát triển nhà ở xã hội",
        "quản lý chất lượng công trình xây dựng",
        "công bố giá vật liệu xây dựng quý {q} năm {y}",
        "lập quy hoạch chung đô thị",
        "điều chỉnh quy hoạch chi tiết tỷ lệ 1/500",
        "cải tạo, chỉnh trang đô thị",
        "quản lý chung cư cũ",
        "thẩm định báo cáo nghiên cứu khả thi",
    ),
    "nội vụ": (
        "tinh giản biên chế",
        "xác định vị trí việc làm",
        "sắp xếp đơn vị hành chính cấp xã",
        "thi đua, khen thưởng",
        "tuyển dụng công chức, viên chức",
        "đánh giá, xếp loại cán bộ, công chức, viên chức",
        "vận hành chính quyền địa phương hai cấp",
        "nâng bậc lương thường xuyên",
        "đào tạo, bồi dưỡng cán bộ, công chức",
        "quản lý hồ sơ cán bộ",
        "công tác văn thư, lưu trữ",
        "thực hiện chế độ, chính sách đối với người nghỉ việc",
    ),
    "tài chính": (
        "giải ngân vốn đầu tư công",
        "quyết toán ngân sách nhà nước năm {y0}",
        "lập dự toán ngân sách nhà nước năm {y1}",
        "thu ngân sách nhà nước",
        "quản lý, sử dụng tài sản công",
        "thực hành tiết kiệm, chống lãng phí",
        "bổ sung kinh phí thực hiện nhiệm vụ",
        "thẩm định quyết toán vốn dự án hoàn thành",
        "mua sắm tập trung",
        "sắp xếp lại, xử lý nhà, đất",
    ),
    "nông nghiệp và môi trường": (
        "phòng, chống bệnh dịch tả lợn châu Phi",
        "sản xuất vụ Đông Xuân {y}–{y1}",
        "sản xuất vụ Hè Thu năm {y}",
        "Chương trình mỗi xã một sản phẩm (OCOP)",
        "trồng rừng, bảo vệ rừng",
        "xây dựng nông thôn mới nâng cao",
        "thu gom, xử lý chất thải rắn sinh hoạt",
        "xử lý ô nhiễm môi trường",
        "quản lý khai thác cát, sỏi lòng sông",
        "bảo vệ tài nguyên nước",
        "phòng cháy, chữa cháy rừng",
        "tiêm phòng vắc xin lở mồm long móng cho gia súc",
    ),
    "giao thông": (
        "bảo đảm trật tự an toàn giao thông",
        "sửa chữa, bảo trì Quốc lộ 1A",
        "nâng cấp, mở rộng Đường tỉnh 10",
        "quản lý hành lang an toàn đường bộ",
        "giải tỏa hành lang an toàn giao thông",
        "kiểm tra tải trọng xe",
        "xây dựng cầu qua sông Hương",
    ),
    "văn hóa, thể thao và du lịch": (
        "tổ chức Festival Huế {y}",
        "tu bổ, tôn tạo di tích",
        "phong trào Toàn dân đoàn kết xây dựng đời sống văn hóa",
        "quản lý hoạt động lễ hội",
        "phát triển du lịch cộng đồng",
        "tổ chức Đại hội Thể dục thể thao các cấp",
        "bảo tồn, phát huy giá trị Nhã nhạc cung đình Huế",
        "kiểm tra hoạt động kinh doanh karaoke",
    ),
    "lao động, người có công và xã hội": (
        "chi trả trợ cấp cho người có công với cách mạng",
        "giảm nghèo bền vững",
        "đào tạo nghề cho lao động nông thôn",
        "xóa nhà tạm, nhà dột nát",
        "trợ giúp xã hội đối với người khuyết tật",
        "tặng quà Tết cho đối tượng chính sách",
        "bảo hiểm xã hội tự nguyện",
        "giải quyết việc làm cho người lao động",
        "phòng, chống đuối nước trẻ em",
    ),
    "khoa học, công nghệ và chuyển đổi số": (
        "chuyển đổi số",
        "triển khai Đề án 06",
        "cung cấp dịch vụ công trực tuyến toàn trình",
        "sử dụng chữ ký số",
        "vận hành Hệ thống quản lý văn bản và điều hành",
        "bảo đảm an toàn thông tin mạng",
        "xây dựng cơ sở dữ liệu chuyên ngành",
        "số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        "phát triển khoa học, công nghệ và đổi mới sáng tạo",
    ),
    "cải cách hành chính": (
        "cải cách hành chính",
        "nâng cao Chỉ số PAR INDEX",
        "khảo sát Chỉ số SIPAS",
        "thực hiện cơ chế một cửa, một cửa liên thông",
        "rà soát, đơn giản hóa thủ tục hành chính",
        "tiếp nhận, xử lý phản ánh, kiến nghị",
        "nâng cao Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)",
    ),
    "tư pháp": (
        "phổ biến, giáo dục pháp luật",
        "đăng ký và quản lý hộ tịch",
        "kiểm tra, rà soát văn bản quy phạm pháp luật",
        "theo dõi tình hình thi hành pháp luật",
        "trợ giúp pháp lý",
        "hòa giải ở cơ sở",
        "chứng thực bản sao từ bản chính",
    ),
    "thanh tra, an ninh, quốc phòng": (
        "tiếp công dân, giải quyết khiếu nại, tố cáo",
        "phòng, chống tham nhũng, tiêu cực",
        "phòng cháy, chữa cháy và cứu nạn, cứu hộ",
        "phòng, chống thiên tai và tìm kiếm cứu nạn",
        "tuyển chọn, gọi công dân nhập ngũ năm {y}",
        "bảo đảm an ninh trật tự dịp Tết Nguyên đán",
        "phòng, chống ma túy",
        "huấn luyện dân quân tự vệ",
    ),
    "công thương": (
        "bình ổn giá thị trường dịp Tết",
        "chống buôn lậu, gian lận thương mại và hàng giả",
        "phát triển cụm công nghiệp",
        "bảo đảm cung ứng điện mùa khô",
        "xúc tiến thương mại",
        "quản lý kinh doanh xăng dầu",
    ),
}

#: Old tone placements that the new-style syllables of the vocabulary map to: "hòa" → "hoà".
_OLD_TONE = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
    "Òa": "Oà", "Óa": "Oá", "Ỏa": "Oả", "Ùy": "Uỳ", "Úy": "Uý", "Ủy": "Uỷ",
}  # fmt: skip
# Only open syllables move their mark ("hòa" → "hoà", but never "hoàn", "tuyến", "quý").
_OLD_TONE_RE = re.compile("(" + "|".join(_OLD_TONE) + r")(?![^\W\d_])")

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Tôn Thất", "Lương")  # fmt: skip
FAMILY_WEIGHTS = (38, 11, 9, 7, 5, 4, 4, 4, 2, 2, 1.5, 1.5, 1.3, 1, 0.5, 0.5)
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Đình", "Thanh")
MIDDLE_FEMALE = ("Thị", "Thị Thu", "Ngọc", "Thị Mỹ", "Thị Thanh", "Hoài", "Kim")
GIVEN_MALE = ("An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hòa", "Hoàng", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Thắng", "Trung", "Tuấn", "Vinh", "Thụy", "Lộc")  # fmt: skip
GIVEN_FEMALE = ("Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân", "Nhung", "Phương", "Tâm", "Thảo", "Thủy", "Trang", "Uyên", "Vy", "Yến", "Thoa")  # fmt: skip

#: Places of the province besides its communes (older documents name pre-2025 districts).
PLACES = (
    "thành phố Huế", "thị xã Hương Thủy", "thị xã Hương Trà", "huyện Phú Vang",
    "huyện Quảng Điền", "huyện Phong Điền", "huyện Phú Lộc", "huyện A Lưới",
    "phường Thuận Hòa", "phường Phú Hội", "phường Vĩnh Ninh", "phường Thủy Xuân",
    "phường Kim Long", "xã Hòa Bình", "xã Lộc Thủy", "xã Vinh Hiền", "xã Quảng Thọ",
    "Khu kinh tế Chân Mây – Lăng Cô", "đầm phá Tam Giang – Cầu Hai", "sông Hương",
    "Khu công nghiệp Phú Bài", "khu vực Kinh thành Huế",
)  # fmt: skip
PROJECTS = (
    "Đường ven biển và cầu qua cửa Thuận An", "Khu tái định cư Hương Sơ giai đoạn 3",
    "Nâng cấp, mở rộng đường Nguyễn Hoàng", "Trường Trung học phổ thông Hòa Bình",
    "Bệnh viện Đa khoa tỉnh giai đoạn 2", "Khu dân cư Thủy Thanh",
    "Hồ chứa nước Thủy Yên – Thủy Cam", "Cầu Hòa Xuân", "Kè chống sạt lở bờ sông Ô Lâu",
    "Trung tâm hành chính công tỉnh", "Khu nhà ở xã hội Phú Bài", "Nhà máy xử lý rác Phú Sơn",
)  # fmt: skip
POSITIONS = (
    "Phó Giám đốc Sở {sector}", "Trưởng phòng Tổ chức cán bộ", "Chánh Văn phòng",
    "Phó Chánh Thanh tra tỉnh", "Trưởng phòng Kế hoạch - Tài chính",
    "Hiệu trưởng Trường Trung học phổ thông {place_short}",
    "Giám đốc Trung tâm Y tế khu vực {place_short}", "Phó Chủ tịch Ủy ban nhân dân {commune}",
    "Trưởng phòng Kinh tế {commune}", "Phó Trưởng phòng Quản lý chuyên ngành",
)  # fmt: skip
SECTORS = ("Nội vụ", "Tài chính", "Tư pháp", "Xây dựng", "Y tế", "Giáo dục và Đào tạo", "Công Thương", "Nông nghiệp và Môi trường", "Khoa học và Công nghệ", "Văn hóa, Thể thao và Du lịch")  # fmt: skip
PLACE_SHORT = ("Hương Thủy", "Thuận Hóa", "Phú Lộc", "Quảng Điền", "Phong Điền", "A Lưới", "Hòa Châu", "Kim Long", "Vinh Thanh")  # fmt: skip
LEADERS = (
    "Chủ tịch Ủy ban nhân dân tỉnh", "Phó Chủ tịch Ủy ban nhân dân tỉnh",
    "Phó Chủ tịch Thường trực Ủy ban nhân dân tỉnh", "Giám đốc Sở", "Chủ tịch Ủy ban nhân dân xã",
)  # fmt: skip
GOVERNMENT_ISSUERS = (
    ("Chính phủ", "NĐ-CP"), ("Thủ tướng Chính phủ", "QĐ-TTg"), ("Thủ tướng Chính phủ", "CT-TTg"),
    ("Bộ Nội vụ", "TT-BNV"), ("Bộ Tài chính", "TT-BTC"), ("Bộ Y tế", "TT-BYT"),
    ("Bộ Giáo dục và Đào tạo", "TT-BGDĐT"), ("Bộ Xây dựng", "TT-BXD"),
    ("Bộ Nông nghiệp và Môi trường", "TT-BNNMT"),
)  # fmt: skip
NAMED_ACTS = (
    "Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư",
    "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
    "Luật Đất đai năm 2024",
    "Nghị định số 118/2025/NĐ-CP về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông",
    "Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ (Đề án 06)",
    "Luật Thi đua, khen thưởng năm 2022",
    "Kết luận số 127-KL/TW của Bộ Chính trị, Ban Bí thư",
    "Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021–2025",
    "Chương trình mục tiêu quốc gia xây dựng nông thôn mới giai đoạn 2021–2025",
)  # fmt: skip
EVENTS = (
    "Hội nghị tổng kết công tác {field} năm {y} và triển khai nhiệm vụ năm {y1}",
    "Hội nghị trực tuyến toàn quốc về {topic}",
    "lớp bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên chính",
    "Hội thảo khoa học về {topic}", "Lễ kỷ niệm {n} năm Ngày giải phóng Thừa Thiên Huế",
    "Hội nghị sơ kết 6 tháng đầu năm {y}", "tập huấn nghiệp vụ {field}",
    "Đoàn kiểm tra liên ngành về {topic}",
)  # fmt: skip
DISEASES = ("sốt xuất huyết", "cúm gia cầm", "tay chân miệng", "dịch tả lợn châu Phi", "bệnh dại")
ROMAN_QUARTERS = ("I", "II", "III", "IV")


# --- Building a subject --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What a subject may name: the document's year and the province's own names."""

    year: int
    communes: Sequence[str]  # "Xã Hòa Phong", "Phường An Đông" …
    agencies: Sequence[str]  # "Sở Y tế", "Ủy ban nhân dân tỉnh" …


def person(rng: random.Random, *, title: bool = True) -> str:
    female = rng.random() < 0.45
    family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    name = f"{family} {middle} {given}"
    return f"{'bà' if female else 'ông'} {name}" if title else name


def _place(rng: random.Random, ctx: Context) -> str:
    if ctx.communes and rng.random() < 0.6:
        return _commune(rng, ctx)
    return rng.choice(PLACES)


def _commune(rng: random.Random, ctx: Context) -> str:
    """A commune inside a sentence: "xã Hòa Phong", "phường An Đông"."""
    name = rng.choice(ctx.communes) if ctx.communes else "Xã Hòa Bình"
    return name[0].lower() + name[1:]


def _period(rng: random.Random, year: int) -> str:
    roll = rng.random()
    if roll < 0.3:
        return f"tháng {rng.randint(1, 12)} năm {year}"
    if roll < 0.5:
        return f"quý {rng.choice(ROMAN_QUARTERS)} năm {year}"
    if roll < 0.65:
        return f"6 tháng đầu năm {year}"
    if roll < 0.75:
        return f"9 tháng năm {year}"
    return f"năm {year}"


def _act(rng: random.Random, year: int) -> str:
    if rng.random() < 0.45:
        return rng.choice(NAMED_ACTS)
    issuer, suffix = rng.choice(GOVERNMENT_ISSUERS)
    act_year = rng.randint(year - 3, year)
    number = rng.randint(1, 2400 if "TTg" in suffix else 180)
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    kind = {"NĐ": "Nghị định", "QĐ": "Quyết định", "CT": "Chỉ thị", "TT": "Thông tư"}[
        suffix.split("-")[0]
    ]
    numbered = (
        f"{number}/{suffix}" if suffix in ("QĐ-TTg", "CT-TTg") else f"{number}/{act_year}/{suffix}"
    )
    return f"{kind} số {numbered} ngày {day:02d}/{month:02d}/{act_year} của {issuer}"


def _topic(rng: random.Random, year: int, field: str | None = None) -> tuple[str, str]:
    field = field or rng.choice(tuple(FIELDS))
    text = rng.choice(FIELDS[field]).format(
        y=year, y0=year - 1, y1=year + 1, q=rng.choice(ROMAN_QUARTERS)
    )
    return field, text


def _org(rng: random.Random, ctx: Context) -> str:
    if ctx.agencies and rng.random() < 0.7:
        return rng.choice(ctx.agencies)
    return "Ủy ban nhân dân " + _commune(rng, ctx)


def _position(rng: random.Random, ctx: Context) -> str:
    return rng.choice(POSITIONS).format(
        sector=rng.choice(SECTORS),
        place_short=rng.choice(PLACE_SHORT),
        commune=_commune(rng, ctx),
    )


def _event(rng: random.Random, year: int) -> str:
    field, topic = _topic(rng, year)
    return rng.choice(EVENTS).format(field=field, topic=topic, y=year, y1=year + 1, n=rng.choice((30, 45, 50, 51)))  # fmt: skip


def subject(rng: random.Random, doc_type: str, ctx: Context) -> str:
    """A trích yếu for a document of `doc_type` (a Nghị định 30 code: CV, QĐ, KH …)."""
    y = ctx.year
    field, topic = _topic(rng, y)
    roll = rng.random()
    forms: tuple[Callable[[], str], ...]
    if doc_type == "CV":
        forms = (
            lambda: f"báo cáo tình hình {topic} {_period(rng, y)}",
            lambda: f"triển khai thực hiện {_act(rng, y)}",
            lambda: f"góp ý dự thảo Nghị quyết của Hội đồng nhân dân tỉnh về {topic}",
            lambda: f"tăng cường công tác {topic}",
            lambda: f"đề nghị cung cấp thông tin, số liệu về {topic}",
            lambda: f"rà soát, tổng hợp {topic} trên địa bàn {_place(rng, ctx)}",
            lambda: f"cử cán bộ tham dự {_event(rng, y)}",
            lambda: f"hướng dẫn thực hiện {topic} năm {y}",
            lambda: f"chấn chỉnh {topic}",
            lambda: f"giải quyết đơn kiến nghị của {person(rng)}, trú tại {_place(rng, ctx)}",
            lambda: f"phối hợp thực hiện {topic}",
            lambda: f"đôn đốc {topic} {_period(rng, y)}",
            lambda: f"xin chủ trương {topic} tại {_place(rng, ctx)}",
            lambda: f"bổ sung kinh phí {topic} năm {y}",
            lambda: f"thực hiện ý kiến chỉ đạo của {rng.choice(LEADERS)} về {topic}",
        )
        body = rng.choice(forms)()
        return ("V/v " if roll < 0.75 else "Về việc ") + body
    if doc_type == "QĐ":
        forms = (
            lambda: f"Về việc bổ nhiệm {person(rng)} giữ chức {_position(rng, ctx)}",
            lambda: f"Về việc bổ nhiệm lại {person(rng)} giữ chức {_position(rng, ctx)}",
            lambda: f"Về việc phê duyệt Kế hoạch {topic} năm {y}",
            lambda: f"Về việc phê duyệt chủ trương đầu tư dự án {rng.choice(PROJECTS)}",
            lambda: f"Ban hành Quy chế làm việc của {_org(rng, ctx)}",
            lambda: f"Về việc thành lập Ban Chỉ đạo {topic} tỉnh",
            lambda: f"Về việc kiện toàn Hội đồng thi đua, khen thưởng {_org(rng, ctx)}",
            lambda: f"Về việc giao dự toán ngân sách nhà nước năm {y}",
            lambda: (
                f"Về việc thu hồi đất để thực hiện dự án {rng.choice(PROJECTS)} tại {_place(rng, ctx)}"
            ),
            lambda: (
                f"Về việc tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho các tập thể, cá nhân có thành tích trong {topic}"
            ),
            lambda: f"Về việc công bố danh mục thủ tục hành chính lĩnh vực {field}",
            lambda: (
                f"Về việc xử phạt vi phạm hành chính đối với {person(rng)} trong lĩnh vực {field}"
            ),
            lambda: (
                f"Về việc nâng bậc lương thường xuyên đối với công chức, viên chức {_org(rng, ctx)}"
            ),
            lambda: f"Về việc điều động {person(rng)} đến công tác tại {_org(rng, ctx)}",
            lambda: f"Về việc cho phép {person(rng)} nghỉ hưu hưởng chế độ bảo hiểm xã hội",
            lambda: (
                f"Về việc phê duyệt điều chỉnh quy hoạch chi tiết xây dựng tỷ lệ 1/500 {rng.choice(PROJECTS)}"
            ),
        )
        return rng.choice(forms)()
    if doc_type == "KH":
        forms = (
            lambda: f"Kế hoạch triển khai {topic} năm {y}",
            lambda: f"Kế hoạch tổ chức {_event(rng, y)}",
            lambda: f"Kế hoạch kiểm tra công tác {topic} năm {y}",
            lambda: f"Kế hoạch thực hiện {_act(rng, y)}",
            lambda: f"Kế hoạch {topic} giai đoạn {y}–{y + 5}",
            lambda: f"Kế hoạch tuyên truyền về {topic} năm {y}",
        )
        return rng.choice(forms)()
    if doc_type == "TB":
        forms = (
            lambda: (
                f"Thông báo kết luận của {rng.choice(LEADERS)} tại buổi làm việc với {_org(rng, ctx)} về {topic}"
            ),
            lambda: (
                f"Thông báo kết luận của {rng.choice(LEADERS)} tại cuộc họp nghe báo cáo tình hình {topic}"
            ),
            lambda: (
                f"Thông báo lịch làm việc của Lãnh đạo {_org(rng, ctx)} tuần {rng.randint(1, 52)} năm {y}"
            ),
            lambda: f"Thông báo tuyển dụng viên chức {_org(rng, ctx)} năm {y}",
            lambda: f"Thông báo kết quả kiểm tra {topic} tại {_place(rng, ctx)}",
            lambda: f"Thông báo nghỉ Tết Nguyên đán năm {y + 1}",
            lambda: f"Thông báo thu hồi đất để thực hiện dự án {rng.choice(PROJECTS)}",
        )
        return rng.choice(forms)()
    if doc_type == "BC":
        forms = (
            lambda: f"Báo cáo tình hình {topic} {_period(rng, y)}",
            lambda: (
                f"Báo cáo kết quả thực hiện {topic} năm {y} và phương hướng, nhiệm vụ năm {y + 1}"
            ),
            lambda: f"Báo cáo công tác {field} {_period(rng, y)}",
            lambda: f"Báo cáo sơ kết {rng.choice((3, 5))} năm thực hiện {_act(rng, y)}",
            lambda: f"Báo cáo kết quả giải quyết đơn của {person(rng)}",
            lambda: f"Báo cáo thiệt hại do mưa lũ trên địa bàn {_place(rng, ctx)}",
        )
        return rng.choice(forms)()
    if doc_type == "GM":
        forms = (
            lambda: f"Giấy mời dự họp nghe báo cáo {topic}",
            lambda: f"Mời dự {_event(rng, y)}",
            lambda: f"Mời họp bàn giải quyết vướng mắc về {topic} tại {_place(rng, ctx)}",
        )
        return rng.choice(forms)()
    if doc_type == "TTr":
        forms = (
            lambda: f"Tờ trình đề nghị phê duyệt Đề án {topic}",
            lambda: f"Tờ trình về việc ban hành Quy định {topic} trên địa bàn tỉnh",
            lambda: f"Tờ trình đề nghị bổ nhiệm {person(rng)} giữ chức {_position(rng, ctx)}",
            lambda: f"Tờ trình đề nghị bổ sung kinh phí {topic} năm {y}",
        )
        return rng.choice(forms)()
    if doc_type == "HD":
        return rng.choice((f"Hướng dẫn {topic} năm {y}", f"Hướng dẫn thực hiện {_act(rng, y)}"))
    if doc_type == "NQ":
        return rng.choice(
            (
                f"Nghị quyết về {topic} trên địa bàn tỉnh giai đoạn {y}–{y + 5}",
                f"Nghị quyết quy định mức chi hỗ trợ {topic}",
            )
        )
    if doc_type == "CT":
        return rng.choice(
            (f"Chỉ thị về tăng cường {topic}", f"Chỉ thị về việc tổ chức Tết Nguyên đán {y + 1}")
        )
    if doc_type == "CĐ":
        return rng.choice(
            (
                f"Công điện về việc chủ động ứng phó với bão số {rng.randint(1, 13)}",
                "Công điện về việc tập trung ứng phó mưa lũ, sạt lở đất",
                f"Công điện về phòng, chống dịch {rng.choice(DISEASES)}",
            )
        )
    if doc_type == "BB":
        return rng.choice(
            (
                f"Biên bản kiểm tra {topic} tại {_place(rng, ctx)}",
                f"Biên bản làm việc với {_org(rng, ctx)} về {topic}",
                "Biên bản bàn giao hồ sơ, tài liệu lưu trữ",
            )
        )
    if doc_type == "CTr":
        return rng.choice(
            (
                f"Chương trình công tác năm {y} của {_org(rng, ctx)}",
                f"Chương trình hành động thực hiện {_act(rng, y)}",
            )
        )
    if doc_type in ("QC", "QyĐ"):
        return rng.choice((f"Quy chế làm việc của {_org(rng, ctx)}", f"Quy định về {topic}"))
    return f"Về việc {topic} năm {y}"


# --- How clerks type it -------------------------------------------------------------------------


def old_tone(text: str) -> str:
    """The old tone placement in open syllables: "Hòa Bình" → "Hoà Bình", "Thủy" → "Thuỷ"."""
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONE[m.group(1)], text)


def styled(rng: random.Random, text: str) -> str:
    """The subject as a clerk typed or pasted it (see the module docstring for the shares)."""
    if rng.random() < 0.35:
        text = old_tone(text)
    if rng.random() < 0.02:
        text = text.upper()
    if rng.random() < 0.05:
        text = unicodedata.normalize("NFD", text)
    return text


# --- Searches ------------------------------------------------------------------------------------

#: Two-word queries people type, by how often the words occur in registers: `common` words
#: (in a large share of subjects), `field` words, and `rare` ones (a few hundred hits in a
#: million documents or fewer), plus a few that find nothing. `place` queries name one of the
#: province's communes ("Hòa Phong").
SEARCH_PAIRS: dict[str, tuple[str, ...]] = {
    "common": (
        "báo cáo", "kế hoạch", "triển khai", "tình hình", "công tác", "thực hiện", "năm 2025",
        "thông báo", "kết luận", "tăng cường", "đề nghị", "hướng dẫn", "quyết định",
    ),
    "field": (
        "bổ nhiệm", "giải ngân", "tuyển sinh", "tiêm chủng", "đất đai", "nông thôn",
        "chuyển đổi", "chữ ký", "giáo viên", "ngân sách", "quy hoạch", "thủ tục",
        "khen thưởng", "biên chế", "an toàn", "giao thông", "hòa giải", "bảo hiểm",
        "dịch vụ", "phòng cháy", "xây dựng", "tài sản", "khiếu nại", "sức khỏe",
        "bồi thường", "tái định", "du lịch", "di tích", "môi trường", "vật liệu",
    ),
    "rare": (
        "sốt xuất", "lợn châu", "cát sỏi", "thuận hòa", "thủy xuân", "chân mây", "nhã nhạc",
        "karaoke", "đuối nước", "lở mồm", "bão số", "xăng dầu", "ocop", "sipas", "nhập ngũ",
        "hương sơ", "ô lâu", "thủy yên", "kim long", "tam giang", "hòa xuân", "dột nát",
    ),
    "none": ("hàng không", "tàu ngầm", "kim cương", "băng tuyết"),
}  # fmt: skip
CLASS_WEIGHTS = {"common": 0.25, "field": 0.45, "rare": 0.15, "place": 0.1, "none": 0.05}


def search_pairs(
    rng: random.Random, count: int, places: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """`count` (class, query) pairs of two words each: half typed without marks, some in the
    old tone placement or with a capital. `places`: commune names ("Xã Hòa Phong")."""
    pools = {**SEARCH_PAIRS, "place": tuple(" ".join(p.split()[-2:]) for p in places)}
    classes = [c for c in CLASS_WEIGHTS if pools.get(c)]
    weights = [CLASS_WEIGHTS[c] for c in classes]
    queries: list[tuple[str, str]] = []
    for _ in range(count):
        kind = rng.choices(classes, weights)[0]
        words = rng.choice(pools[kind])
        if len(words.split()) == 1:  # "karaoke", "ocop": a year makes two words
            words = f"{words} {rng.randint(2024, 2026)}"
        roll = rng.random()
        if roll < 0.5:
            words = fold(words)  # the marks dropped, as people type in a hurry
        elif roll < 0.6:
            words = old_tone(words)
        elif roll < 0.7:
            words = words[0].upper() + words[1:]
        queries.append((kind, words))
    return queries

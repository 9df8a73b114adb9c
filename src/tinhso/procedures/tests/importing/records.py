"""Small catalogue records for the import tests, after four pages of the national catalogue
(1.001193, 1.001194, 1.003528, 1.008905): trimmed and paraphrased, the flattened strings kept
in the portal's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

KHAI_SINH: dict[str, Any] = {
    "ma_thu_tuc": "1.001193",
    "ten_thu_tuc": "Thủ tục đăng ký khai sinh",
    "so_quyet_dinh": "163/QĐ-BTP",
    "cap_thuc_hien": "Cấp xã",
    "linh_vuc": "Hộ tịch",
    "co_quan_co_tham_quyen": "",
    "cach_thuc_thuc_hien": (
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn phíDịch vụ bưu chính1Miễn phí"
        "Trực tiếp1Miễn phí"
    ),
    "thanh_phan_ho_so": (
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Văn bản ủy quyền (được chứng "
        "thực) trong trường hợp ủy quyền.1 bản chínhTrường hợp đã nộp bản điện tử Giấy chứng "
        "sinh thì không phải nộp bản giấy.0 bản chính- Giấy chứng sinh.1 bản chính"
        "* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Giấy tờ tùy thân của "
        "người đi đăng ký.1 bản chính* Lưu ý:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Cá nhân có "
        "quyền chọn nơi đăng ký.0 bản chính--Tên giấy tờMẫu đơn, tờ khaiSố lượng- Tờ khai đăng "
        "ký khai sinh theo mẫu;1 bản chính"
    ),
    "ket_qua_xu_ly": "Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tin",
    "yeu_cau_dieu_kien": "Không có thông tin",
    "detail_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7",
}

THI_THUC: dict[str, Any] = {
    "ma_thu_tuc": "1.001194",
    "ten_thu_tuc": "Cấp thị thực cho người nước ngoài tại Việt Nam (thực hiện tại cấp tỉnh)",
    "so_quyet_dinh": "5568/QĐ-BCA",
    "cap_thuc_hien": "Cấp tỉnh",
    "linh_vuc": "Quản lý xuất nhập cảnh",
    "co_quan_co_tham_quyen": "Cục quản lý xuất nhập cảnh",
    "cach_thuc_thuc_hien": (
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm việc25 USD(Thị thực có "
        "giá trị một lần)Trực tiếp5 Ngày làm việc5 USD(Chuyển ngang giá trị thị thực (hết chỗ "
        "đóng dấu) sang thị thực rời mới)"
    ),
    "thanh_phan_ho_so": (
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đề nghị cấp thị thực (mẫu NA5) theo Thông "
        "tư số 22/2023/TT-BCA.NA5 (1).doc1 bản chínhHộ chiếu của người nước ngoài.1 bản chính"
    ),
    "ket_qua_xu_ly": "Thị thực loại dán hoặc rờiMã: KQ.G01.000076Từ khóa",
}

TAU_BAY: dict[str, Any] = {
    "ma_thu_tuc": "1.003528",
    "ten_thu_tuc": "Thủ tục đăng ký quyền chiếm hữu tàu bay",
    "so_quyet_dinh": "1204/QĐ-BGTVT",
    "cap_thuc_hien": "Cấp bộ",
    "linh_vuc": "Hàng không",
    "co_quan_co_tham_quyen": "Cục Hàng không Việt Nam",
    "cach_thuc_thuc_hien": (
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến3 Ngày làm việc1,500,000 VNĐ((1.500.000"
        " đồng/lần(Lệ phí đăng ký quyền chiếm hữu tàu bay)- Nộp hồ sơ trực tiếp; hoặc - Qua dịch "
        "vụ bưu chínhTrực tiếp3 Ngày làm việc1,500,000 VNĐ(đồng/lần(Lệ phí đăng ký)"
    ),
    "thanh_phan_ho_so": (
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượng- Bản sao hợp đồng thuê tàu bay;0 bản chính,1 bản "
        "sao- Bản sao giấy tờ chứng minh tư cách pháp lý của người đề nghị.0 bản chính,1 bản sao"
        "Tờ khai theo mẫu;Mau 6.6.docx1 bản chính"
    ),
}

TRONG_TAI: dict[str, Any] = {
    "ma_thu_tuc": "1.008905",
    "ten_thu_tuc": "Thay đổi nội dung Giấy đăng ký hoạt động của Chi nhánh Trung tâm trọng tài",
    "so_quyet_dinh": "1241/QĐ-BTP",
    "cap_thuc_hien": "Cấp tỉnh",
    "linh_vuc": "Trọng tài thương mại",
    "cach_thuc_thuc_hien": (
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến3 Ngày làm việc500,000 Việt Nam Đồng("
        "Áp dụng mức phí: 250.000 đồng đến hết ngày 31/12/2026)Trực tiếp3 Ngày làm việc500,000 "
        "Việt Nam Đồng(Áp dụng mức phí: 250.000 đồng đến hết ngày 31/12/2026)"
    ),
    "thanh_phan_ho_so": (
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượng- Đơn đề nghị thay đổi nội dung Giấy đăng ký hoạt "
        "động của Chi nhánh;1 bản chính"
    ),
    "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật Trọng tài thương mại54/2010/QH12",
}

REFERENCE = [KHAI_SINH, THI_THUC, TAU_BAY, TRONG_TAI]


def write(directory: Path, records: list[Any] | dict[str, Any], name: str) -> Path:
    path = directory / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def write_each(directory: Path, records: list[dict[str, Any]]) -> Path:
    """One file per record, named by its code, in `directory`."""
    for record in records:
        write(directory, record, f"{record['ma_thu_tuc']}.json")
    return directory

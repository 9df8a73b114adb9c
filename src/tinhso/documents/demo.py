"""Demo documents of Sở Nội vụ, so every e-office screen of the demo province shows something.

Made through the services (numbers, history, audit rows are real) over the last two weeks:
incoming documents from the provincial People's Committee and ministries at each step of
their routing — waiting to be presented, with the director, assigned to `chuyenvien` (one
overdue), completed — and outgoing documents at each step: a draft, one waiting for the head
`lanhdao`, one waiting for the clerk `vanthu` to issue, and issued ones, one delivered to the
People's Committee's incoming queue. Idempotent: nothing happens when Sở Nội vụ has documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.documents import services
from tinhso.documents.models import Document
from tinhso.documents.numbering import vietnam_date
from tinhso.files.services import file_store
from tinhso.organizations import demo
from tinhso.organizations.models import Agency

INCOMING: Final = (
    # issuer, code, number, notation, type, subject, urgency, state
    (
        "Ủy ban nhân dân thành phố Huế",
        demo.UBND_CODE,
        "2491",
        "QĐ-UBND",
        "QĐ",
        "Quyết định về việc phê duyệt kế hoạch tuyển dụng công chức năm 2027",
        "thuong",
        "registered",
    ),
    (
        "Bộ Nội vụ",
        "",
        "5012",
        "BNV-TCBC",
        "CV",
        "Về việc hướng dẫn sắp xếp tổ chức bộ máy các cơ quan chuyên môn thuộc Ủy ban nhân dân cấp xã",
        "khan",
        "presented",
    ),
    (
        "Ủy ban nhân dân thành phố Huế",
        demo.UBND_CODE,
        "118",
        "KH-UBND",
        "KH",
        "Kế hoạch cải cách hành chính nhà nước năm 2027 trên địa bàn thành phố Huế",
        "thuong",
        "assigned",
    ),
    (
        "Văn phòng Ủy ban nhân dân thành phố Huế",
        "",
        "77",
        "TB-VP",
        "TB",
        "Thông báo kết luận của Chủ tịch Ủy ban nhân dân thành phố tại cuộc họp giao ban tháng 11",
        "thuong",
        "in_progress",
    ),
    (
        "Sở Tài chính",
        "",
        "3345",
        "STC-NS",
        "CV",
        "Về việc báo cáo tình hình thực hiện dự toán ngân sách năm 2026",
        "thuong_khan",
        "overdue",
    ),
    (
        "Ủy ban nhân dân phường Phú Xuân",
        demo.PHU_XUAN_CODE,
        "45",
        "TTr-UBND",
        "TTr",
        "Tờ trình đề nghị bổ nhiệm lại công chức lãnh đạo Văn phòng Hội đồng nhân dân và Ủy ban "
        "nhân dân phường",
        "thuong",
        "completed",
    ),
)

OUTGOING: Final = (
    ("CV", "Về việc báo cáo số lượng cán bộ, công chức cấp xã sau sắp xếp", "draft"),
    ("KH", "Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức năm 2027", "in_review"),
    ("TB", "Thông báo lịch tiếp công dân của Giám đốc Sở Nội vụ tháng 12 năm 2026", "approved"),
    ("QĐ", "Quyết định về việc thành lập Hội đồng thi đua – khen thưởng Sở Nội vụ", "issued"),
    ("CV", "Về việc góp ý dự thảo quy chế làm việc của Ủy ban nhân dân thành phố", "issued"),
)


def _pdf(user: User, name: str, title: str) -> int:
    from weasyprint import HTML

    html = (
        '<html lang="vi"><body style="font-family: \'Liberation Serif\', serif; font-size: 13pt">'
        f"<p style='text-align:center'><b>{title}</b></p>"
        "<p>Văn bản mẫu của hệ thống văn phòng điện tử tỉnh số.</p></body></html>"
    )
    content = HTML(string=html).write_pdf()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return file_store(actor=user, upload=upload).pk


def load_demo_documents(now: dt.datetime | None = None) -> int:
    """Create the demo documents; returns how many (0 when they exist already)."""
    moment = now or timezone.now()
    try:
        snv = Agency.objects.get(code=demo.SNV_CODE)
        ubnd = Agency.objects.get(code=demo.UBND_CODE)
        clerk = User.objects.get(username="vanthu")
        specialist = User.objects.get(username="chuyenvien")
        head = User.objects.get(username="lanhdao")
        director = User.objects.get(username="giamdoc.snv")
    except (Agency.DoesNotExist, User.DoesNotExist):
        return 0
    if Document.objects.filter(agency=snv).exists():
        return 0
    created = 0
    today = vietnam_date(moment)
    for i, (issuer, code, number, notation, kind, subject, urgency, state) in enumerate(INCOMING):
        at = moment - dt.timedelta(days=12 - i * 2, hours=3)
        due = (
            today + dt.timedelta(days=7 - i * 2)
            if state != "overdue"
            else today - dt.timedelta(days=1)
        )
        d = services.incoming_register(
            actor=clerk,
            data=services.IncomingInput(
                issuer_name=issuer,
                issuer_code=code,
                number=number,
                notation=notation,
                issued_on=vietnam_date(at) - dt.timedelta(days=2),
                doc_type=kind,
                subject=subject,
                urgency=urgency,
                source="electronic",
                files=(_pdf(clerk, f"{number}-{notation}.pdf", subject),),
            ),
            confirm_duplicate=True,
            now=at,
        )
        created += 1
        if state == "registered":
            continue
        services.incoming_present(actor=clerk, document_id=d.pk, leader_id=director.pk, now=at)
        if state == "presented":
            continue
        (main, *_rest) = services.incoming_assign(
            actor=director,
            document_id=d.pk,
            data=services.AssignInput(
                main=specialist.pk,
                readers=(head.pk,),
                direction="Giao Phòng Tổ chức, biên chế chủ trì tham mưu, báo cáo kết quả.",
                due_on=due if due >= vietnam_date(at) else None,
            ),
            now=at,
        )
        if state == "overdue":
            from tinhso.documents.models import Assignment

            Assignment.objects.filter(pk=main.pk).update(due_on=due)
            Document.objects.filter(pk=d.pk).update(due_on=due)
        if state in ("in_progress", "completed", "overdue"):
            services.assignment_start(actor=specialist, assignment_id=main.pk, now=at)
        if state == "completed":
            services.assignment_complete(
                actor=specialist,
                assignment_id=main.pk,
                result_note="Đã tham mưu văn bản trả lời, trình lãnh đạo ký ban hành.",
                now=at,
            )
    for i, (kind, subject, state) in enumerate(OUTGOING):
        at = moment - dt.timedelta(days=8 - i, hours=2)
        d = services.outgoing_draft(
            actor=specialist,
            data=services.DraftInput(
                doc_type=kind,
                subject=subject,
                signer=head.pk,
                recipients=(ubnd.pk,),
                files=(_pdf(specialist, f"du-thao-{i + 1}.pdf", subject),),
            ),
            now=at,
        )
        created += 1
        if state == "draft":
            continue
        services.outgoing_submit(actor=specialist, document_id=d.pk, now=at)
        if state == "in_review":
            continue
        services.outgoing_approve(actor=head, document_id=d.pk, comment="Đồng ý.", now=at)
        if state == "approved":
            continue
        services.outgoing_issue(actor=clerk, document_id=d.pk, now=at)
    return created

"""The certificate PDF: every mandatory field, the QR code's address, byte identity, the 已撤销 mark, ZIP."""

import io
import zipfile
from datetime import date

import pytest
import segno
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ContentStream

from skillcert.certificates import pdf as certificate_pdfs
from skillcert.certificates.pdf import certificate_pdf, certificate_verification_url
from skillcert.certificates.services import (
    certificate_revoke,
    plan_certificates_zip_download,
)
from skillcert.certificates.tests.builders import issue_certificates, make_candidate, make_plan
from skillcert.core.models import AuditEvent
from skillcert.evaluation.tests.factories import make_resident_id

ISSUED_ON = date(2025, 6, 30)
BASE_URL = "https://skillcert.example.gov.cn"


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE_URL + "/"  # a trailing slash must not double up in the QR address


def issued_one(world, *, job_type=None, name="欧阳明华", id_number=None):
    plan = make_plan(site=world.site_y, level_code="L3", job_type=job_type)
    holder = make_candidate(name=name, id_number=id_number or make_resident_id(date(1990, 1, 1)))
    (certificate,) = issue_certificates(
        plan=plan, actor=world.body_y_admin, candidates=[holder], issue_date=ISSUED_ON
    )
    return certificate


def page_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def drawn_qr_matrix(data: bytes) -> list[list[int]]:
    """Read back the QR modules drawn in the QR box: every filled run inside it, on the module grid."""
    reader = PdfReader(io.BytesIO(data))
    operations = ContentStream(reader.pages[0].get_contents(), reader).operations
    left, bottom, size = certificate_pdfs.QR_X, certificate_pdfs.QR_Y, certificate_pdfs.QR_SIZE
    quiet = certificate_pdfs.QR_QUIET_MODULES
    runs = []
    for operands, operator in operations:
        if operator == b"re":
            x, y, width, height = (float(value) for value in operands)
            if (
                left <= x
                and x + width <= left + size + 0.01
                and bottom <= y
                and y + height <= bottom + size + 0.01
            ):
                runs.append((x, y, width, height))
    module = min(height for _x, _y, _width, height in runs)
    count = round(size / module) - 2 * quiet
    matrix = [[0] * count for _ in range(count)]
    for x, y, width, height in runs:
        assert round(height / module) == 1
        row = round((bottom + size - y) / module) - quiet - 1
        first = round((x - left) / module) - quiet
        for column in range(first, first + round(width / module)):
            matrix[row][column] = 1
    return matrix


@pytest.mark.django_db
def test_pdf_carries_every_mandatory_field(world):
    # given: a 三级 certificate of 中式烹调师, an occupation without 工种
    id_number = make_resident_id(date(1990, 1, 1))
    certificate = issued_one(world, id_number=id_number)

    # when
    text = page_text(certificate_pdf(certificate=certificate))

    # then: 人社鉴发〔2021〕1号's fields, each with its label, the ID number in full
    url = f"{BASE_URL}/v/{certificate.qr_token}"
    lines = text.splitlines()
    assert lines[0] == "职业技能等级证书"
    for label, value in [
        ("姓名：", "欧阳明华"),
        ("证件类型：", "居民身份证"),
        ("证件号码：", id_number),
        ("职业名称：", "中式烹调师"),
        ("工种/职业方向：", "--"),
        ("职业技能等级：", "三级/高级工"),
        ("证书编号：", certificate.number),
    ]:
        assert lines[lines.index(label) + 1] == value, label
    assert "经评价，该同志职业技能等级为三级/高级工，特发此证。" in lines
    assert f"评价机构：{world.body_y.name}" in lines
    assert "发证日期：2025年6月30日" in lines
    assert "照片" in lines  # the photo frame, no photo stored
    assert "证书信息查询网址：http://jndj.osta.org.cn" in lines
    assert "机构信息查询网址：http://pjjg.osta.org.cn" in lines
    assert f"本平台验证网址：{url}" in lines
    assert "已撤销" not in text


@pytest.mark.django_db
def test_pdf_is_a4(world):
    reader = PdfReader(io.BytesIO(certificate_pdf(certificate=issued_one(world))))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


@pytest.mark.django_db
def test_pdf_prints_the_job_type_when_there_is_one(world):
    certificate = issued_one(world, job_type="电焊工")

    lines = page_text(certificate_pdf(certificate=certificate)).splitlines()

    assert lines[lines.index("职业名称：") + 1] == "焊工"
    assert lines[lines.index("工种/职业方向：") + 1] == "电焊工"


@pytest.mark.django_db
def test_qr_code_opens_the_verification_page_by_token(world):
    # given
    certificate = issued_one(world)

    # when: the modules drawn in the PDF are read back
    drawn = drawn_qr_matrix(certificate_pdf(certificate=certificate))

    # then: they are exactly the QR symbol of the token address, never the certificate number
    url = certificate_verification_url(certificate)
    assert url == f"{BASE_URL}/v/{certificate.qr_token}"
    assert certificate.number not in url
    assert drawn == [list(row) for row in segno.make(url, error="m", micro=False).matrix]


@pytest.mark.django_db
def test_same_certificate_renders_the_same_bytes(world):
    # given
    certificate = issued_one(world)

    # when
    first = certificate_pdf(certificate=certificate)
    second = certificate_pdf(certificate=certificate)

    # then: identical, dated with the issue date rather than the moment of rendering
    assert first == second
    assert PdfReader(io.BytesIO(first)).metadata["/CreationDate"] == "D:20250630000000+08'00'"


@pytest.mark.django_db
def test_changed_data_changes_the_bytes(world):
    certificate = issued_one(world)
    before = certificate_pdf(certificate=certificate)

    certificate.holder_name = "欧阳明"

    assert certificate_pdf(certificate=certificate) != before


@pytest.mark.django_db
def test_revoked_certificate_carries_the_mark(world):
    # given
    certificate = issued_one(world)
    valid = certificate_pdf(certificate=certificate)

    # when
    revoked = certificate_revoke(
        certificate=certificate, reason="考试作弊，取消成绩", actor=world.body_y_admin
    )
    data = certificate_pdf(certificate=revoked)

    # then
    assert data != valid
    text = page_text(data)
    assert "已撤销" in text
    revoked_on = timezone.localtime(revoked.revoked_at).date()
    assert f"本证书已于{revoked_on.year}年{revoked_on.month}月{revoked_on.day}日撤销，不再有效。" in text
    assert certificate_pdf(certificate=revoked) == data  # still byte-identical once revoked


@pytest.mark.django_db
def test_plan_zip_holds_every_certificate_with_fixed_timestamps(world):
    # given: a plan with three certificates
    plan = make_plan(site=world.site_y)
    certificates = issue_certificates(plan=plan, actor=world.body_y_admin, count=3, issue_date=ISSUED_ON)

    # when
    archive, count = plan_certificates_zip_download(plan=plan, actor=world.body_y_exam_staff)
    data = archive.read()
    archive.close()
    again, _ = plan_certificates_zip_download(plan=plan, actor=world.body_y_exam_staff)

    # then: one PDF per certificate in number order, each the same bytes as rendered alone
    assert count == 3
    with zipfile.ZipFile(io.BytesIO(data)) as opened:
        entries = opened.infolist()
        assert [entry.filename for entry in entries] == [f"certificate-{c.number}.pdf" for c in certificates]
        assert {entry.date_time for entry in entries} == {(2025, 6, 30, 0, 0, 0)}
        for entry, certificate in zip(entries, certificates, strict=True):
            assert opened.read(entry) == certificate_pdf(certificate=certificate)
    assert again.read() == data  # the archive too is byte-identical
    events = AuditEvent.objects.filter(action="plan.certificates_pdf_downloaded").order_by("sequence")
    assert [(e.actor_id, e.target_id, e.data) for e in events] == [
        (world.body_y_exam_staff.pk, str(plan.pk), {"plan": plan.number, "count": 3})
    ] * 2

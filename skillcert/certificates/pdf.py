"""The certificate as a PDF: A4, one page, every field 人社鉴发〔2021〕1号 makes mandatory.

reportlab with the CID font STSong-Light (no font files). The output depends only on the certificate's
stored data: ``invariant`` mode, a creation date fixed to the issue date and no random ids, so the same
certificate renders to the same bytes and a revoked one to different bytes (it carries 已撤销).

The certificate prints the holder's full ID number (证件号码 is mandatory on the certificate). PDFs are
therefore served only to the holder and to staff of the issuing body, and every download is audited
(see ``services/documents.py``); screens and the API keep showing the masked number.
"""

import io
import zipfile
from collections.abc import Iterable
from datetime import date
from typing import IO

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from skillcert.accounts.models import Candidate
from skillcert.accounts.services import ID_NUMBER_PURPOSE
from skillcert.certificates.models import Certificate
from skillcert.core.personal_data import decrypt

FONT = "STSong-Light"
LATIN_FONT = "Helvetica"  # one of the 14 standard fonts: no file either
PAGE_WIDTH, PAGE_HEIGHT = A4

# 人社鉴发〔2021〕1号: the two national query addresses every certificate prints.
CERTIFICATE_QUERY_URL = "http://jndj.osta.org.cn"
BODY_QUERY_URL = "http://pjjg.osta.org.cn"

TITLE = "职业技能等级证书"  # must be exactly this (人社鉴发〔2021〕1号)
SUBTITLE = "VOCATIONAL SKILL LEVEL CERTIFICATE"

# Geometry (points). Tests read the QR box to decode what was drawn.
PHOTO_X, PHOTO_TOP = 32 * mm, 228 * mm
PHOTO_WIDTH, PHOTO_HEIGHT = 25 * mm, 35 * mm  # 1 寸
QR_X, QR_Y, QR_SIZE = 30 * mm, 50 * mm, 34 * mm
QR_QUIET_MODULES = 4

RED = Color(0.62, 0.09, 0.09)
GOLD = Color(0.72, 0.56, 0.24)
GREY = Color(0.35, 0.35, 0.35)
REVOKED_RED = Color(0.85, 0.05, 0.05)

_font_registered = False


def _register_font() -> None:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True


def certificate_verification_url(certificate: Certificate) -> str:
    """The address in the QR code: this portal's verification page, reached by the unguessable token."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/v/{certificate.qr_token}"


def format_chinese_date(day: date) -> str:
    """``2025年6月30日``: the way a certificate writes dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def id_type_label(id_type: str) -> str:
    """The Chinese name of a stored ID type (``resident_id`` → 居民身份证)."""
    if id_type in Candidate.IdType.values:
        return str(Candidate.IdType(id_type).label)
    return id_type


def certificate_text(certificate: Certificate) -> str:
    """证书正文: the sentence that states the level reached."""
    return _("经评价，该同志职业技能等级为%(level)s，特发此证。") % {"level": certificate.level.label}


def certificate_pdf_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.number}.pdf"


def plan_certificates_zip_filename(plan_number: str) -> str:
    return f"certificates-{plan_number}.zip"


def certificate_pdf(*, certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 PDF; the same stored data always gives the same bytes."""
    _register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    issued = certificate.issue_date
    # The document's creation and modification dates are the issue date, not the moment of rendering.
    canvas.setDateFormatter(lambda *_parts: f"D:{issued:%Y%m%d}000000+08'00'")
    canvas.setTitle(f"{TITLE} {certificate.number}")
    canvas.setSubject(TITLE)
    canvas.setAuthor(certificate.body_name)
    canvas.setCreator("skillcert")
    _draw_certificate(canvas, certificate)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificates_zip_write(*, certificates: Iterable[Certificate], out: IO[bytes]) -> int:
    """Write one PDF per certificate into a ZIP on ``out``; entries in the order given, fixed timestamps.

    Each entry's time is its certificate's issue date at midnight, so the archive is the same bytes for
    the same certificates. Returns the number of entries.
    """
    count = 0
    with zipfile.ZipFile(out, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            entry = zipfile.ZipInfo(
                certificate_pdf_filename(certificate),
                date_time=(*certificate.issue_date.timetuple()[:3], 0, 0, 0),
            )
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16  # a plain file, rw-r--r--
            archive.writestr(entry, certificate_pdf(certificate=certificate))
            count += 1
    return count


# ---- drawing ---------------------------------------------------------------------------------------------


def _draw_certificate(canvas: Canvas, certificate: Certificate) -> None:
    _draw_frame(canvas)
    _draw_title(canvas)
    _draw_photo(canvas)
    _draw_fields(canvas, certificate)
    _draw_text(canvas, certificate)
    _draw_issuer(canvas, certificate)
    _draw_qr(canvas, certificate_verification_url(certificate), QR_X, QR_Y, QR_SIZE)
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(QR_X + QR_SIZE / 2, QR_Y - 4.5 * mm, _("扫码验证证书真伪"))
    _draw_addresses(canvas, certificate)
    if certificate.status == Certificate.Status.REVOKED:
        _draw_revoked(canvas, certificate)


def _draw_frame(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(2.2)
    canvas.rect(10 * mm, 10 * mm, PAGE_WIDTH - 20 * mm, PAGE_HEIGHT - 20 * mm)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(13 * mm, 13 * mm, PAGE_WIDTH - 26 * mm, PAGE_HEIGHT - 26 * mm)
    # A small ornament in each corner, between the two frames.
    canvas.setFillColor(RED)
    for x, y in (
        (13 * mm, 13 * mm),
        (PAGE_WIDTH - 13 * mm, 13 * mm),
        (13 * mm, PAGE_HEIGHT - 13 * mm),
        (PAGE_WIDTH - 13 * mm, PAGE_HEIGHT - 13 * mm),
    ):
        canvas.rect(x - 2.2 * mm, y - 2.2 * mm, 4.4 * mm, 4.4 * mm, stroke=0, fill=1)
    canvas.restoreState()


def _draw_title(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setFillColor(RED)
    canvas.setFont(FONT, 32)
    canvas.drawCentredString(PAGE_WIDTH / 2, 255 * mm, TITLE)
    canvas.setFont(LATIN_FONT, 10.5)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(PAGE_WIDTH / 2, 246 * mm, SUBTITLE)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(45 * mm, 241 * mm, PAGE_WIDTH - 45 * mm, 241 * mm)
    canvas.restoreState()


def _draw_photo(canvas: Canvas) -> None:
    # No photo is stored yet: a 1-inch frame where the body affixes the holder's photo.
    canvas.saveState()
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.6)
    canvas.setDash(2, 2)
    canvas.rect(PHOTO_X, PHOTO_TOP - PHOTO_HEIGHT, PHOTO_WIDTH, PHOTO_HEIGHT)
    canvas.setFillColor(GREY)
    canvas.setFont(FONT, 11)
    middle = PHOTO_TOP - PHOTO_HEIGHT / 2
    canvas.drawCentredString(PHOTO_X + PHOTO_WIDTH / 2, middle + 1 * mm, _("照片"))
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(PHOTO_X + PHOTO_WIDTH / 2, middle - 4 * mm, _("（1 寸）"))
    canvas.restoreState()


def _fields(certificate: Certificate) -> list[tuple[str, str]]:
    id_number = decrypt(certificate.candidate.id_number_ciphertext, purpose=ID_NUMBER_PURPOSE)
    return [
        (_("姓名"), certificate.holder_name),
        (_("证件类型"), id_type_label(certificate.holder_id_type)),
        (_("证件号码"), id_number),
        (_("职业名称"), certificate.occupation_name),
        (_("工种/职业方向"), certificate.job_type_name),
        (_("职业技能等级"), certificate.level.label),
        (_("证书编号"), certificate.number),
    ]


def _draw_fields(canvas: Canvas, certificate: Certificate) -> None:
    label_right = 100 * mm  # labels right-aligned to this edge, values start just after it
    value_x = label_right + 3 * mm
    value_width = PAGE_WIDTH - 30 * mm - value_x
    y = PHOTO_TOP - 5 * mm
    canvas.saveState()
    for label, value in _fields(certificate):
        canvas.setFillColor(GREY)
        canvas.setFont(FONT, 12)
        canvas.drawRightString(label_right, y, f"{label}：")
        canvas.setFillColor(black)
        size = _fitting_size(value, value_width, 13.5)
        canvas.setFont(FONT, size)
        canvas.drawString(value_x, y, value)
        canvas.setStrokeColor(GOLD)
        canvas.setLineWidth(0.4)
        canvas.line(value_x, y - 2 * mm, value_x + value_width, y - 2 * mm)
        y -= 11 * mm
    canvas.restoreState()


def _draw_text(canvas: Canvas, certificate: Certificate) -> None:
    canvas.saveState()
    canvas.setFillColor(black)
    size = _fitting_size(certificate_text(certificate), PAGE_WIDTH - 60 * mm, 16)
    canvas.setFont(FONT, size)
    canvas.drawCentredString(PAGE_WIDTH / 2, 118 * mm, certificate_text(certificate))
    canvas.restoreState()


def _draw_issuer(canvas: Canvas, certificate: Certificate) -> None:
    right = PAGE_WIDTH - 30 * mm
    canvas.saveState()
    canvas.setFillColor(black)
    body = f"{_('评价机构')}：{certificate.body_name}"
    canvas.setFont(FONT, _fitting_size(body, right - (QR_X + QR_SIZE + 10 * mm), 12.5))
    canvas.drawRightString(right, 88 * mm, body)
    canvas.setFont(FONT, 12.5)
    canvas.drawRightString(right, 78 * mm, f"{_('发证日期')}：{format_chinese_date(certificate.issue_date)}")
    canvas.setFont(FONT, 9)
    canvas.setFillColor(GREY)
    canvas.drawRightString(right, 68 * mm, _("（评价机构盖章）"))
    canvas.restoreState()


def _draw_addresses(canvas: Canvas, certificate: Certificate) -> None:
    lines = [
        f"{_('证书信息查询网址')}：{CERTIFICATE_QUERY_URL}",
        f"{_('机构信息查询网址')}：{BODY_QUERY_URL}",
        f"{_('本平台验证网址')}：{certificate_verification_url(certificate)}",
    ]
    canvas.saveState()
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.5)
    canvas.line(30 * mm, 38 * mm, PAGE_WIDTH - 30 * mm, 38 * mm)
    canvas.setFillColor(GREY)
    y = 32 * mm
    for line in lines:
        canvas.setFont(FONT, _fitting_size(line, PAGE_WIDTH - 60 * mm, 9))
        canvas.drawString(30 * mm, y, line)
        y -= 5 * mm
    canvas.restoreState()


def _draw_revoked(canvas: Canvas, certificate: Certificate) -> None:
    revoked_on = timezone.localtime(certificate.revoked_at).date() if certificate.revoked_at else None
    canvas.saveState()
    # A large diagonal stamp across the fields, and a plain statement at the top that prints in any colour.
    canvas.setFillColor(REVOKED_RED)
    canvas.setFillAlpha(0.28)
    canvas.translate(PAGE_WIDTH / 2, 150 * mm)
    canvas.rotate(28)
    canvas.setFont(FONT, 96)
    canvas.drawCentredString(0, -30, _("已撤销"))
    canvas.restoreState()

    canvas.saveState()
    notice = _("本证书已撤销")
    if revoked_on is not None:
        notice = _("本证书已于%(date)s撤销") % {"date": format_chinese_date(revoked_on)}
    if certificate.replaced_by is not None:
        notice += _("，由证书 %(number)s 替代") % {"number": certificate.replaced_by.number}
    notice += _("，不再有效。")
    box_y, box_height = 270 * mm, 8.5 * mm
    canvas.setFillColor(white)
    canvas.setStrokeColor(REVOKED_RED)
    canvas.setLineWidth(1.2)
    canvas.rect(25 * mm, box_y, PAGE_WIDTH - 50 * mm, box_height, stroke=1, fill=1)
    canvas.setFillColor(REVOKED_RED)
    canvas.setFont(FONT, _fitting_size(notice, PAGE_WIDTH - 56 * mm, 11.5))
    canvas.drawCentredString(PAGE_WIDTH / 2, box_y + 3 * mm, notice)
    canvas.restoreState()


def _fitting_size(text: str, width: float, size: float, *, font: str = FONT, smallest: float = 7) -> float:
    """The largest size up to ``size`` at which ``text`` fits in ``width`` (long names shrink, never wrap)."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any print resolution), with its 4-module quiet zone.

    Each horizontal run of dark modules is one rectangle: a third of the path operators, which is most
    of the rendering time of a certificate.
    """
    matrix = segno.make(payload, error="m", micro=False).matrix
    module = size / (len(matrix) + 2 * QR_QUIET_MODULES)
    canvas.saveState()
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + QR_QUIET_MODULES + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(x + (start + QR_QUIET_MODULES) * module, top, (column - start) * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()

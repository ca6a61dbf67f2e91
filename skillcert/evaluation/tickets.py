"""Admission tickets (准考证) as PDF: one page per candidate, reportlab with the CID font STSong-Light.

The QR code carries the ticket number and a check token (an HMAC over the number, keyed by the blind
index key), never personal data: staff at the door scan it and compare it with the list. The output is
deterministic for the same data (reportlab's ``invariant``) so that tests can compare bytes.

The ticket of a candidate who has no account yet also carries their claim code
(``skillcert.accounts.claim_codes``), with which they register and take over their record, when the body
printing it is the one that registered them (another body's ticket never shows it).
"""

import hmac
import io
from collections.abc import Sequence

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from skillcert.accounts.claim_codes import claim_code, claim_code_bodies, claim_code_display
from skillcert.accounts.models import Candidate
from skillcert.core.personal_data import blind_index
from skillcert.evaluation.models import Application, EvaluationPlan, PlanSession

FONT = "STSong-Light"
QR_PREFIX = "SKILLCERT-TICKET"
TOKEN_LENGTH = 16
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
PHOTO_WIDTH, PHOTO_HEIGHT = 25 * mm, 35 * mm  # 1 寸
QR_SIZE = 30 * mm

RULES = (
    gettext_lazy("考生须持本准考证和有效身份证件原件，于考试开始前 30 分钟到达考场，接受身份核验。"),
    gettext_lazy("考试开始 15 分钟后不得入场；理论知识考试开始 30 分钟内不得交卷离场。"),
    gettext_lazy(
        "除规定的文具外，不得携带手机、智能手表等通讯和存储设备进入考场；已携带的须关机后放在指定位置。"
    ),
    gettext_lazy("服从考评人员和监考人员的安排，遵守考场纪律和安全操作规程；违纪作弊的，按有关规定处理。"),
    gettext_lazy("准考证上的信息如有错误，请在考试前与评价机构联系更正。本准考证不得涂改。"),
)

_font_registered = False


def _register_font() -> None:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True


def ticket_check_token(ticket_number: str) -> str:
    """The check token printed in the ticket's QR code: a keyed HMAC over the ticket number."""
    return blind_index(ticket_number, purpose="admission_ticket")[:TOKEN_LENGTH]


def ticket_qr_payload(ticket_number: str) -> str:
    return f"{QR_PREFIX}:{ticket_number}:{ticket_check_token(ticket_number)}"


def ticket_verify(payload: str) -> str | None:
    """The ticket number of a scanned QR payload if its token is right, else None."""
    parts = payload.strip().split(":")
    if len(parts) != 3 or parts[0] != QR_PREFIX:
        return None
    if not _constant_time_equal(parts[2], ticket_check_token(parts[1])):
        return None
    return parts[1]


def _constant_time_equal(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break Chinese text into lines no wider than ``width`` (character by character: no spaces)."""
    lines, current = [], ""
    for character in text:
        if pdfmetrics.stringWidth(current + character, FONT, size) > width:
            lines.append(current)
            current = character
        else:
            current += character
    if current:
        lines.append(current)
    return lines


def _draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    qr = segno.make(payload, error="m", micro=False)
    matrix = qr.matrix
    count = len(matrix) + 8  # a 4-module quiet zone on each side
    module = size / count
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        for column_index, dark in enumerate(row):
            if dark:
                path.rect(
                    x + (column_index + 4) * module, y + size - (row_index + 5) * module, module, module
                )
    canvas.drawPath(path, stroke=0, fill=1)


def _job(plan: EvaluationPlan) -> str:
    spec = plan.spec
    job_type = f"（{spec.job_type.name}）" if spec.job_type else ""
    return f"{spec.occupation.code} {spec.occupation.name}{job_type}"


def ticket_claim_line(candidate: Candidate) -> str:
    """The line that hands a body-registered candidate (no account yet) their claim code."""
    return _("账号认领码：%(code)s（凭此码在平台注册即可查看本人报名、成绩和证书）") % {
        "code": claim_code_display(claim_code(candidate))
    }


def _draw_claim_code(canvas: Canvas, candidate: Candidate, y: float) -> None:
    # Only for a person without an account: the body checked their identity and hands them the code;
    # once they have claimed the record (or registered themselves) there is nothing to claim.
    canvas.setFont(FONT, 11)
    for line in _wrap(ticket_claim_line(candidate), PAGE_WIDTH - 2 * MARGIN, 11):
        canvas.drawString(MARGIN, y, line)
        y -= 6 * mm


def _draw_ticket(
    canvas: Canvas, application: Application, sessions: Sequence[PlanSession], *, with_claim_code: bool
) -> None:
    plan = application.plan
    top = PAGE_HEIGHT - MARGIN
    canvas.setFont(FONT, 20)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 8 * mm, _("职业技能等级认定准考证"))
    canvas.setFont(FONT, 11)
    canvas.drawCentredString(PAGE_WIDTH / 2, top - 16 * mm, plan.tenant.name)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, top - 20 * mm, PAGE_WIDTH - MARGIN, top - 20 * mm)

    # Photo placeholder (1 寸) and the QR code on the right.
    photo_x = PAGE_WIDTH - MARGIN - PHOTO_WIDTH
    photo_y = top - 26 * mm - PHOTO_HEIGHT
    canvas.rect(photo_x, photo_y, PHOTO_WIDTH, PHOTO_HEIGHT, stroke=1, fill=0)
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(photo_x + PHOTO_WIDTH / 2, photo_y + PHOTO_HEIGHT / 2 + 2 * mm, _("照片"))
    canvas.drawCentredString(photo_x + PHOTO_WIDTH / 2, photo_y + PHOTO_HEIGHT / 2 - 3 * mm, _("（1 寸）"))
    qr_x = photo_x + (PHOTO_WIDTH - QR_SIZE) / 2  # centred under the photo box
    _draw_qr(
        canvas, ticket_qr_payload(application.ticket_number or ""), qr_x, photo_y - 4 * mm - QR_SIZE, QR_SIZE
    )

    fields = [
        (_("准考证号"), application.ticket_number or ""),
        (_("姓名"), application.candidate.name),
        (_("证件号码"), application.candidate.id_number_masked),
        (_("职业（工种）"), _job(plan)),
        (_("等级"), plan.spec.level.label),
        (_("评价计划"), plan.number),
        (_("考点"), plan.site.name),
        (_("考点地址"), plan.site.address),
    ]
    y = top - 30 * mm
    label_width = 24 * mm
    value_width = photo_x - MARGIN - label_width - 6 * mm
    for label, value in fields:
        canvas.setFont(FONT, 11)
        canvas.drawString(MARGIN, y, f"{label}：")
        for line in _wrap(str(value), value_width, 11) or [""]:
            canvas.drawString(MARGIN + label_width, y, line)
            y -= 7 * mm
    y = min(y, photo_y - QR_SIZE - 10 * mm) - 4 * mm

    canvas.setFont(FONT, 13)
    canvas.drawString(MARGIN, y, _("考试安排"))
    y -= 8 * mm
    columns = [MARGIN, MARGIN + 45 * mm, MARGIN + 80 * mm, MARGIN + 125 * mm]
    canvas.setFont(FONT, 10.5)
    for x, heading in zip(columns, (_("科目"), _("日期"), _("时间"), _("考场")), strict=True):
        canvas.drawString(x, y, heading)
    canvas.line(MARGIN, y - 2 * mm, PAGE_WIDTH - MARGIN, y - 2 * mm)
    y -= 8 * mm
    for session in sessions:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        values = (
            session.get_component_display(),
            starts.strftime("%Y-%m-%d"),
            f"{starts:%H:%M}–{ends:%H:%M}",
            session.room or _("以考点公告为准"),
        )
        for x, value in zip(columns, values, strict=True):
            canvas.drawString(x, y, str(value))
        y -= 7 * mm
    y -= 6 * mm

    canvas.setFont(FONT, 13)
    canvas.drawString(MARGIN, y, _("考生须知"))
    y -= 8 * mm
    canvas.setFont(FONT, 10)
    for number, rule in enumerate(RULES, start=1):
        lines = _wrap(f"{number}. {rule}", PAGE_WIDTH - 2 * MARGIN, 10)
        for line in lines:
            canvas.drawString(MARGIN, y, line)
            y -= 5.5 * mm
    if with_claim_code:
        _draw_claim_code(canvas, application.candidate, y - 4 * mm)
    canvas.setFont(FONT, 8)
    canvas.drawString(
        MARGIN,
        MARGIN / 2,
        _("本准考证由评价机构通过职业技能等级认定公共服务平台生成，二维码仅含准考证号和校验码。"),
    )


def tickets_pdf(*, applications: Sequence[Application]) -> bytes:
    """One A4 page per application (eligible, with a ticket number), in the order given."""
    _register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(_("准考证"))
    canvas.setAuthor("skillcert")
    canvas.setCreator("skillcert")
    sessions_by_plan: dict[int, list[PlanSession]] = {}
    unclaimed = [a.candidate_id for a in applications if a.candidate.user_id is None]
    code_bodies = claim_code_bodies(unclaimed) if unclaimed else {}
    for application in applications:
        if application.plan_id not in sessions_by_plan:
            sessions_by_plan[application.plan_id] = list(application.plan.sessions.order_by("starts_at"))
        with_claim_code = code_bodies.get(application.candidate_id) == application.tenant_id
        _draw_ticket(
            canvas, application, sessions_by_plan[application.plan_id], with_claim_code=with_claim_code
        )
        canvas.showPage()
    if not applications:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def ticket_filename(application: Application) -> str:
    return f"ticket-{application.ticket_number}.pdf"


def plan_tickets_filename(plan: EvaluationPlan) -> str:
    return f"tickets-{plan.number}.pdf"

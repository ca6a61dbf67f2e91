"""Score import from the plan's Excel template: all or nothing, every problem with row and column,
re-import changes nothing, imported scores still need a second person's confirmation."""

import io
from decimal import Decimal

import pytest
from django.urls import path, reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from skillcert.api.tests.helpers import ApiClient, issued_key
from skillcert.api.v1.api import SkillcertAPI
from skillcert.api.v1.auth import TokenAuth
from skillcert.api.v1.problems import install_problem_handlers
from skillcert.api.v1.routers.scores import router as scores_router
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Component, Recusal, ScoreEntry
from skillcert.evaluation.selectors.scores import plan_markers
from skillcert.evaluation.services.application_import import ImportRejected
from skillcert.evaluation.services.score_import import score_import, score_template_workbook
from skillcert.evaluation.services.scores import MSG_VALUE_INVALID, score_enter
from skillcert.evaluation.spreadsheets.reader import MAX_UPLOAD_BYTES
from skillcert.evaluation.tests.scoring import applications, score_template_filled, scoring_plan

pytestmark = pytest.mark.django_db


def headers(plan) -> list[str]:
    sheet = load_workbook(io.BytesIO(score_template_workbook(plan=plan)))["成绩"]
    return [cell.value for cell in sheet[1]]


def test_template_has_a_row_per_candidate_and_a_column_per_marker(world):
    plan = scoring_plan(world, candidates=2)
    markers = plan_markers(plan=plan)[Component.SKILLS]
    assert headers(plan) == [
        "准考证号",
        "姓名",
        "理论知识考试",
        *[f"操作技能考核-{m.full_name}({m.username})" for m in markers],
    ]
    sheet = load_workbook(io.BytesIO(score_template_workbook(plan=plan)))["成绩"]
    assert [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2)] == [
        (a.ticket_number, a.candidate.name) for a in applications(plan)
    ]


def test_import_enters_scores_waiting_for_confirmation_and_reimport_changes_nothing(world):
    # given a template filled in for both candidates
    plan = scoring_plan(world, candidates=2)
    content = score_template_filled(plan, {2: [80, 70, 75.5, 90], 3: ["59.99", 60, 60, 61]})
    # when it is imported
    result = score_import(plan=plan, content=content, filename="scores.xlsx", actor=world.body_y_exam_staff)
    # then eight entries wait for confirmation, entered by the importer
    assert (result.imported, result.unchanged, result.rows) == (8, 0, 2)
    first, second = applications(plan)
    assert ScoreEntry.objects.filter(status="entered", entered_by=world.body_y_exam_staff).count() == 8
    assert ScoreEntry.objects.get(application=first, component="theory").value == Decimal("80.00")
    assert ScoreEntry.objects.get(application=second, component="theory").value == Decimal("59.99")
    skills = ScoreEntry.objects.filter(application=first, component="skills").order_by("marker__full_name")
    assert [e.value for e in skills] == [Decimal("70.00"), Decimal("75.50"), Decimal("90.00")]
    event = AuditEvent.objects.get(action="score.imported")
    assert (event.data["imported"], event.data["unchanged"], event.data["rows"]) == (8, 0, 2)
    # when the same file is imported again, nothing changes
    again = score_import(plan=plan, content=content, filename="scores.xlsx", actor=world.body_y_exam_staff)
    assert (again.imported, again.unchanged) == (0, 8)
    assert ScoreEntry.objects.count() == 8


def test_every_problem_is_reported_and_nothing_is_written(world):
    plan = scoring_plan(world, candidates=2)
    workbook = load_workbook(
        io.BytesIO(score_template_filled(plan, {2: [101, 70, "七十", 90], 3: [60, 60, 60, 60.123]}))
    )
    sheet = workbook["成绩"]
    sheet.cell(row=4, column=1).value = "P-NOT-A-TICKET"
    sheet.cell(row=4, column=3).value = 60
    sheet.cell(row=5, column=1).value = applications(plan)[0].ticket_number
    sheet.cell(row=5, column=2).value = applications(plan)[0].candidate.name
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRejected) as caught:
        score_import(
            plan=plan, content=buffer.getvalue(), filename="scores.xlsx", actor=world.body_y_exam_staff
        )
    problems = [(p.row, p.column, p.message) for p in caught.value.problems]
    assert problems == [
        (2, "C", "成绩：应在 0 到 100 之间。"),
        (2, "E", str(MSG_VALUE_INVALID % {"value": "七十"})),
        (3, "F", "成绩：最多保留两位小数。"),
        (4, "A", "准考证号“P-NOT-A-TICKET”不是本计划参加考核的考生。"),
        (5, "A", "与第 2 行的准考证号重复，每名考生只能填写一行。"),
    ]
    assert caught.value.message == "文件有 5 处问题（涉及 4 行），未导入任何成绩。请修改后重新上传。"
    assert not ScoreEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="score.imported").exists()


def test_different_value_for_an_entered_score_is_a_problem_not_an_overwrite(world):
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    score_enter(application=application, component=Component.THEORY, value=70, actor=world.body_y_admin)
    with pytest.raises(ImportRejected) as caught:
        score_import(
            plan=plan,
            content=score_template_filled(plan, {2: [75]}),
            filename="s.xlsx",
            actor=world.body_y_exam_staff,
        )
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "C")]
    assert "已录入为 70.00（待复核），与文件中的 75.00 不一致" in caught.value.problems[0].message
    assert ScoreEntry.objects.get().value == Decimal("70.00")


def test_recused_examiners_cell_must_stay_empty(world):
    plan = scoring_plan(world, candidates=1)
    application = applications(plan)[0]
    examiner = plan_markers(plan=plan)[Component.SKILLS][0]
    Recusal.objects.create(
        plan=plan,
        examiner=examiner,
        candidate=application.candidate,
        relationship="同事",
        declared_at=timezone.now(),
    )
    with pytest.raises(ImportRejected) as caught:
        score_import(
            plan=plan,
            content=score_template_filled(plan, {2: [80, 80]}),
            filename="s.xlsx",
            actor=world.body_y_admin,
        )
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "D")]
    assert "考评人员已回避" in caught.value.problems[0].message


def test_wrong_headers_and_non_xlsx_are_refused(world):
    plan = scoring_plan(world, candidates=1)
    workbook = Workbook()
    workbook.active.title = "成绩"
    workbook.active.append(["编号", "姓名", "理论"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRejected) as caught:
        score_import(plan=plan, content=buffer.getvalue(), filename="s.xlsx", actor=world.body_y_admin)
    messages = [p.message for p in caught.value.problems]
    assert "无法识别的列“编号”：请使用本计划最新下载的成绩模板，不要修改列名。" in messages
    assert "缺少“准考证号”列：请使用本计划的成绩模板。" in messages
    with pytest.raises(ImportRejected) as caught:
        score_import(plan=plan, content=b"not a workbook", filename="s.xls", actor=world.body_y_admin)
    assert caught.value.problems[0].row is None
    assert not ScoreEntry.objects.exists()


def test_only_managers_import(world):
    plan = scoring_plan(world, candidates=1)
    with pytest.raises(ApplicationError):
        score_import(
            plan=plan,
            content=score_template_filled(plan, {2: [80]}),
            filename="s.xlsx",
            actor=world.body_y_examiner,
        )


def test_import_page(world, client, settings):
    settings.SKILLCERT_REQUIRE_2FA = False
    plan = scoring_plan(world, candidates=1)
    client.force_login(world.body_y_exam_staff)
    template = client.get(reverse("evaluation:plan_scores_template", args=[plan.pk]))
    assert template["Content-Disposition"] == f'attachment; filename="scores-{plan.number}.xlsx"'
    upload = io.BytesIO(score_template_filled(plan, {2: [120]}))
    upload.name = "scores.xlsx"
    page = client.post(reverse("evaluation:plan_scores_import", args=[plan.pk]), {"file": upload})
    assert page.status_code == 200 and "成绩：应在 0 到 100 之间。" in page.content.decode()
    upload = io.BytesIO(score_template_filled(plan, {2: [88]}))
    upload.name = "scores.xlsx"
    assert (
        client.post(reverse("evaluation:plan_scores_import", args=[plan.pk]), {"file": upload}).status_code
        == 302
    )
    assert ScoreEntry.objects.get().value == Decimal("88.00")
    # another body: 404
    client.force_login(world.body_s_admin)
    assert client.get(reverse("evaluation:plan_scores_import", args=[plan.pk])).status_code == 404


_test_api = SkillcertAPI(
    title="score import test", version="test", urls_namespace="scores-test", auth=TokenAuth()
)
install_problem_handlers(_test_api)
_test_api.add_router("/", scores_router)
urlpatterns = [path("api/v1/", _test_api.urls)]


def test_api_import_errors_carry_row_and_column(world, settings):
    settings.ROOT_URLCONF = __name__
    plan = scoring_plan(world, candidates=1)
    client = ApiClient()
    token = issued_key(world.body_y_admin)
    bad = io.BytesIO(score_template_filled(plan, {2: [-5]}))
    bad.name = "scores.xlsx"
    response = client.post(
        f"/api/v1/plans/{plan.pk}/scores/import", {"file": bad}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"row": 2, "column": "C", "field": "理论知识考试", "message": "成绩：应在 0 到 100 之间。"}
    ]
    good = io.BytesIO(score_template_filled(plan, {2: [66]}))
    good.name = "scores.xlsx"
    response = client.post(
        f"/api/v1/plans/{plan.pk}/scores/import", {"file": good}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert (response.status_code, response.json()["imported"]) == (200, 1)


def test_api_refuses_a_file_over_the_upload_limit_before_reading_it(world, settings):
    # given a plan waiting for scores and a file one byte over the limit
    settings.ROOT_URLCONF = __name__
    plan = scoring_plan(world, candidates=1)
    token = issued_key(world.body_y_admin)
    huge = io.BytesIO(b"\0" * (MAX_UPLOAD_BYTES + 1))
    huge.name = "scores.xlsx"

    # when it is uploaded
    response = ApiClient().post(
        f"/api/v1/plans/{plan.pk}/scores/import", {"file": huge}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    # then the answer names the field and the limit, and no score was entered
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "文件过大。"}]
    assert "20 MB" in response.json()["detail"]
    assert not ScoreEntry.objects.filter(application__plan=plan).exists()

"""Bulk registration from the Excel template: every error kind with its row and column, all or nothing,
re-import, Excel-damaged IDs, capacity and eligibility, who may import, the template and the portal pages.
Hostile and broken files (ZIP bomb, crash, timeout, not a workbook) are in
``test_application_import_hostile_files``; the import as a background job in ``test_application_import_job``.
"""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from skillcert.accounts.models import Candidate
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.evaluation.models import Application
from skillcert.evaluation.services.application_import import ImportRejected, application_import
from skillcert.evaluation.spreadsheets.template import application_template_workbook
from skillcert.evaluation.tests.application_workbooks import ID_1, ID_2, ID_3, row, workbook_bytes
from skillcert.evaluation.tests.factories import (
    make_application,
    make_candidate,
    make_plan,
    make_resident_id,
    make_spec,
)

pytestmark = pytest.mark.django_db


# run_import, problems_of and db_counts serve test_application_import_hostile_files too.


def run_import(world, plan, content: bytes, **kwargs):
    kwargs.setdefault("source", Application.Source.BODY)
    return application_import(
        plan=plan, content=content, filename="名单.xlsx", actor=world.body_y_exam_staff, **kwargs
    )


def problems_of(error: ImportRejected) -> list[tuple]:
    return [(p.row, p.column, p.header, p.message) for p in error.problems]


def db_counts() -> tuple[int, int, int]:
    return Candidate.objects.count(), Application.objects.count(), AuditEvent.objects.count()


# ---- success ----------------------------------------------------------------------------------------


def test_import_creates_people_and_eligible_applications_with_one_audit_event(world, plan):
    # given: one person already known (self-registered earlier), one new
    known = make_candidate("李四", ID_2)
    content = workbook_bytes(
        plan, [row(mobile="13812345678"), row(name="李四", id_number=ID_2, work_years=7.5)]
    )
    events_before = AuditEvent.objects.count()

    # when
    result = run_import(world, plan, content)

    # then
    assert (result.imported, result.unchanged, result.candidates_created, result.rows) == (2, 0, 1, 2)
    applications = list(
        Application.objects.filter(plan=plan).select_related("candidate").order_by("ticket_number")
    )
    assert [
        (a.candidate.name, a.status, a.eligibility_route, a.ticket_number, a.source) for a in applications
    ] == [
        ("张三", "eligible", "standard_2018:L4:2", f"{plan.number}-0001", "body"),
        ("李四", "eligible", "standard_2018:L4:2", f"{plan.number}-0002", "body"),
    ]
    assert applications[1].candidate_id == known.pk
    assert str(applications[1].work_years) == "7.5"
    new_person = applications[0].candidate
    assert new_person.id_number_masked == ID_1[:3] + "*" * 11 + ID_1[-4:]
    assert (new_person.birth_date, new_person.sex, new_person.mobile) == (
        date(1990, 3, 7),
        "M",
        "13812345678",
    )
    events = list(AuditEvent.objects.filter(sequence__gt=0).order_by("sequence"))[events_before:]
    assert [event.action for event in events] == ["application.imported"]
    assert events[0].actor_id == world.body_y_exam_staff.pk
    assert events[0].data["sha256"] == result.sha256
    assert {
        k: events[0].data[k] for k in ("rows", "imported", "unchanged", "candidates_created", "source")
    } == {
        "rows": 2,
        "imported": 2,
        "unchanged": 0,
        "candidates_created": 1,
        "source": "body",
    }


def test_group_application_records_the_institution(world, plan):
    content = workbook_bytes(plan, [row()])

    run_import(world, plan, content, source=Application.Source.GROUP, group_name="上海浦东职业培训学校")

    application = Application.objects.get(plan=plan)
    assert (application.source, application.group_name) == ("group", "上海浦东职业培训学校")


def test_group_application_needs_the_institution_name(world, plan):
    with pytest.raises(ApplicationError) as raised:
        run_import(
            world, plan, workbook_bytes(plan, [row()]), source=Application.Source.GROUP, group_name=" "
        )
    assert raised.value.message == "团体申报单位：团体申报须填写培训机构或院校的名称。"
    assert Application.objects.count() == 0


def test_reimporting_the_same_file_creates_nothing_twice(world, plan):
    # given
    content = workbook_bytes(plan, [row(), row(name="李四", id_number=ID_2)])
    run_import(world, plan, content)
    counts = db_counts()

    # when
    result = run_import(world, plan, content)

    # then: the rows count as unchanged; only the second import's audit event is new
    assert (result.imported, result.unchanged, result.candidates_created) == (0, 2, 0)
    assert db_counts() == (counts[0], counts[1], counts[2] + 1)


def test_legacy_certificate_number_is_accepted_as_evidence(world, plan):
    # given: a 16-digit 职业资格证书 (level digit 5 at position 11) held for more than 4 years
    content = workbook_bytes(
        plan, [row(work_years=0, certificate_number="1731000000500123", certificate_issued_on="2017-06-30")]
    )

    run_import(world, plan, content)

    application = Application.objects.get(plan=plan)
    assert application.eligibility_route == "standard_2018:L4:1"
    assert application.prior_certificates == [
        {"number": "1731000000500123", "level_digit": 5, "issued_on": "2017-06-30"}
    ]


# ---- every problem, with row and column ------------------------------------------------------------


def test_every_row_problem_is_reported_with_row_column_and_reason(world, plan):
    # given: one problem per row, rows 2 to 12
    bad_check = ID_3[:17] + ("0" if ID_3[17] != "0" else "1")
    content = workbook_bytes(
        plan,
        [
            row(name=""),  # 2: missing name
            row(id_number=bad_check),  # 3: bad check character
            row(id_number=ID_2, title_rank="中级职称", title_obtained_on="2023-02-30"),  # 4: impossible date
            row(name="王五", id_number=ID_3),  # 5: fine
            row(name="王五", id_number=ID_3),  # 6: duplicate of row 5
            row(name="赵六", id_number=make_resident_id(date(1991, 1, 1), sequence=4), id_type="军官证"),  # 7
            row(
                name="钱七", id_number=make_resident_id(date(1991, 1, 2), sequence=5), education="职业学院"
            ),  # 8
            row(name="孙八", id_number=make_resident_id(date(1991, 1, 3), sequence=6), work_years=2),  # 9
            row(name="周九", id_number=110101199003070011),  # 10: a number cell
            row(name="吴十", id_number="1.10101E+17"),  # 11: number-looking text
            row(name="郑一", id_number=make_resident_id(date(1991, 1, 4), sequence=7), mobile="12345"),  # 12
        ],
    )
    counts = db_counts()

    # when
    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, content)

    # then
    number_damage = (
        "证件号码被 Excel 存成了数字（如显示为 1.10105E+17），超过 15 位的数字已经丢失、无法还原。"
        "请把“证件号码”列的单元格格式设为“文本”后重新输入号码，"
        "或在号码前加英文单引号 '（如 '310115199001011234）。"
    )
    expected_check = ID_3[17]
    assert problems_of(raised.value) == [
        (2, "A", "姓名", "请填写姓名。"),
        (
            3,
            "C",
            "证件号码",
            f"身份证号码校验码错误：第 18 位应为“{expected_check}”，实际为“{bad_check[17]}”。",
        ),
        (4, "I", "取得职称时间", "日期“2023-02-30”不存在，请检查年、月、日。"),
        (6, "C", "证件号码", "与第 5 行的证件号码重复，同一考生只能填写一行。"),
        (
            7,
            "B",
            "证件类型",
            "证件类型“军官证”无效，应为：居民身份证、港澳台居民居住证、港澳居民来往内地通行证、"
            "台湾居民来往大陆通行证、外国人永久居留身份证、护照。",
        ),
        (
            8,
            "F",
            "学历",
            "学历“职业学院”无效，应为：无/初中及以下、普通高中、中等职业学校(中专/职高)、技工学校(中级工班)、"
            "高级技工学校/技师学院(高级工班)、技师学院(预备技师/技师班)、高职/大专、本科、硕士、博士。",
        ),
        (
            9,
            None,
            "",
            "不符合申报条件：不符合任何申报条件：未持有五级及以上证书；累计工作年限 2 年，少于 6 年；"
            "学历不符合（须为中等职业学校(中专/职高)、技工学校(中级工班)、高级技工学校/技师学院(高级工班)、"
            "技师学院(预备技师/技师班)、高职/大专）。",
        ),
        (10, "C", "证件号码", number_damage),
        (11, "C", "证件号码", number_damage),
        (12, "D", "手机号码", "手机号码应为 1 开头的 11 位数字，第二位为 3–9。"),
    ]
    assert raised.value.message == "文件有 10 处问题（涉及 10 行），未导入任何数据。请修改后重新上传。"
    assert db_counts() == counts


def test_one_bad_row_imports_nothing(world, plan):
    # given: two good rows and one without a name
    content = workbook_bytes(plan, [row(), row(name="", id_number=ID_3), row(name="李四", id_number=ID_2)])
    counts = db_counts()

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, content)

    assert problems_of(raised.value) == [(3, "A", "姓名", "请填写姓名。")]
    assert db_counts() == counts


def test_person_already_registered_with_other_data_is_a_problem(world, plan):
    # given: 张三 applied with 6 years; the file says 8
    make_application(plan, make_candidate("张三", ID_1), work_years=6, ticket_number=f"{plan.number}-0001")
    counts = db_counts()

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, workbook_bytes(plan, [row(work_years=8)]))

    assert problems_of(raised.value) == [
        (
            2,
            "C",
            "证件号码",
            "该考生已报名本计划（资格审核通过），本行的本职业累计工作年限与已登记的不一致；"
            "导入不会覆盖已有报名，如需更正，请先在报名名单中撤回该报名。",
        )
    ]
    assert db_counts() == counts


def test_name_differing_from_the_registered_person_is_a_problem(world, plan):
    make_candidate("张三", ID_1)

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, workbook_bytes(plan, [row(name="张叁")]))

    assert problems_of(raised.value) == [
        (2, "A", "姓名", "该证件号码已登记的考生姓名与本行填写的姓名不一致，请核对。")
    ]


def test_rows_over_capacity_are_refused(world):
    # given: 2 places, one taken
    plan = make_plan(world, spec=make_spec(world, level_code="L4"), capacity=2)
    make_application(plan, make_candidate("甲", make_resident_id(date(1980, 1, 1), sequence=9)))
    content = workbook_bytes(plan, [row(), row(name="李四", id_number=ID_2)])
    counts = db_counts()

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, content)

    assert problems_of(raised.value) == [
        (3, None, "", "超出计划人数：本计划共 2 个名额，已报名 1 人，本行是文件中第 2 名新考生。")
    ]
    assert db_counts() == counts


def test_formula_cells_are_refused(world, plan):
    # given: a formula where a number belongs, and a formula for a name (openpyxl stores "=…" as one)
    content = workbook_bytes(plan, [row(), row(name='=HYPERLINK("x")', id_number=ID_2)], raw={"E2": "=3+3"})

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, content)

    assert problems_of(raised.value) == [
        (2, "E", "本职业累计工作年限", "单元格含有公式，请改为直接填写内容（复制后用“选择性粘贴 → 数值”）。"),
        (3, "A", "姓名", "单元格含有公式，请改为直接填写内容（复制后用“选择性粘贴 → 数值”）。"),
    ]


def test_a_renamed_header_stops_the_import(world, plan):
    content = workbook_bytes(plan, [row()], raw={"C1": "身份证"})

    with pytest.raises(ImportRejected) as raised:
        run_import(world, plan, content)

    assert problems_of(raised.value) == [
        (1, None, "", "缺少“证件号码”列：请使用本计划的报名模板，不要修改第一行的列名。")
    ]


# ---- who may import ---------------------------------------------------------------------------------


def test_other_body_staff_may_not_import(world, plan):
    with pytest.raises(ApplicationError) as raised:
        application_import(
            plan=plan,
            content=workbook_bytes(plan, [row()]),
            filename="a.xlsx",
            source="body",
            actor=world.body_s_admin,
        )
    assert raised.value.message == "只有本机构的管理员或考务人员可以登记报名。"


def test_plan_not_yet_acknowledged_takes_no_import(world):
    plan = make_plan(world, spec=make_spec(world, level_code="L4"), status="submitted")
    with pytest.raises(ApplicationError) as raised:
        run_import(world, plan, workbook_bytes(plan, [row()]))
    assert raised.value.message == "该评价计划当前不接受报名（只有人社部门已确认的计划开放报名）。"


# ---- the template -----------------------------------------------------------------------------------


def test_template_has_the_columns_text_ids_lists_and_instructions(world, plan):
    workbook = load_workbook(io.BytesIO(application_template_workbook(plan=plan)))

    sheet = workbook["报名名单"]
    assert workbook.sheetnames == ["报名名单", "填写说明", "选项"]
    assert workbook["选项"].sheet_state == "hidden"
    assert [cell.value for cell in sheet[1]] == [
        "姓名",
        "证件类型",
        "证件号码",
        "手机号码",
        "本职业累计工作年限",
        "学历",
        "本专业或相关专业",
        "职称",
        "取得职称时间",
        "已有证书编号",
        "已有证书发证日期",
    ]
    assert sheet["C2"].number_format == "@" and sheet["C2001"].number_format == "@"
    assert sheet["J2"].number_format == "@"
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists == {
        "B2:B2001": "'选项'!$A$1:$A$6",
        "F2:F2001": "'选项'!$B$1:$B$10",
        "H2:H2001": "'选项'!$C$1:$C$5",
        "G2:G2001": "'选项'!$D$1:$D$2",
    }
    assert [workbook["选项"].cell(row=r, column=4).value for r in (1, 2)] == ["是", "否"]
    assert workbook["填写说明"]["B1"].value == plan.number
    formulas = [
        cell.coordinate for ws in workbook for row in ws.iter_rows() for cell in row if cell.data_type == "f"
    ]
    assert formulas == []


# ---- the portal pages --------------------------------------------------------------------------------


def post_file(exam_staff_client, plan, content: bytes, **fields):
    upload = io.BytesIO(content)
    upload.name = "名单.xlsx"
    return exam_staff_client.post(
        f"/evaluation/plans/{plan.pk}/applications/import/", {"file": upload, "source": "body", **fields}
    )


def test_portal_template_download(exam_staff_client, plan):
    response = exam_staff_client.get(f"/evaluation/plans/{plan.pk}/applications/template.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="applications-{plan.number}.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "报名名单"


def finished_job_page(exam_staff_client, response) -> str:
    """The upload queues a background job (skillcert.jobs): wait for its thread, then read its page."""
    from skillcert.jobs.models import Job
    from skillcert.jobs.tests.waiting import wait_for

    assert response.status_code == 302
    wait_for(Job.objects.get(uuid=response["Location"].rstrip("/").rsplit("/", 1)[1]))
    return exam_staff_client.get(response["Location"]).content.decode()


@pytest.mark.django_db(transaction=True)
def test_portal_import_lists_every_problem_and_offers_them_as_csv(exam_staff_client, plan):
    content = workbook_bytes(plan, [row(id_number="1.10101E+17"), row(name="")])

    response = post_file(exam_staff_client, plan, content)

    page = finished_job_page(exam_staff_client, response)
    assert "文件有 2 处问题（涉及 2 行），未导入任何数据。" in page
    assert "<td>2</td><td>C（证件号码）</td>" in page and "<td>3</td><td>A（姓名）</td>" in page
    csv_response = exam_staff_client.get(f"/evaluation/plans/{plan.pk}/applications/import/problems.csv")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "行号,列,列名,问题"
    assert lines[1].startswith("2,C,证件号码,证件号码被 Excel 存成了数字")
    assert lines[2] == "3,A,姓名,请填写姓名。"
    assert Application.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_portal_import_success_shows_counts(exam_staff_client, plan):
    response = post_file(
        exam_staff_client, plan, workbook_bytes(plan, [row(), row(name="李四", id_number=ID_2)])
    )

    page = finished_job_page(exam_staff_client, response)
    assert "文件共 2 行：新报名 2 人（其中新建考生信息 2 人），未变化 0 人。" in page
    listing = exam_staff_client.get(f"/evaluation/plans/{plan.pk}/applications/").content.decode()
    assert "张三" in listing and f"{plan.number}-0002" in listing and ID_1 not in listing


def test_problems_csv_neutralises_formulas():
    from skillcert.evaluation.spreadsheets.import_rows import ImportProblem
    from skillcert.evaluation.spreadsheets.problems import problems_csv

    text = problems_csv(
        [ImportProblem(row=2, column="A", header="姓名", message="=cmd|' /C calc'!A0")]
    ).decode("utf-8-sig")

    assert text.splitlines()[1] == "2,A,姓名,'=cmd|' /C calc'!A0"


def test_plan_page_panel_offers_the_template_and_the_upload(exam_staff_client, client, plan, world):
    page = exam_staff_client.get(f"/evaluation/plans/{plan.pk}/").content.decode()

    assert f'action="/evaluation/plans/{plan.pk}/applications/import/"' in page
    assert f'href="/evaluation/plans/{plan.pk}/applications/template.xlsx"' in page
    client.force_login(world.pudong_reviewer)
    authority_page = client.get(f"/evaluation/plans/{plan.pk}/").content.decode()
    assert f"/evaluation/plans/{plan.pk}/applications/import/" not in authority_page
    assert f'href="/evaluation/plans/{plan.pk}/applications/"' in authority_page

"""The columns of the application template: one list that the template writer and the import share."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import Candidate
from skillcert.evaluation.models import Education, TitleRank

SHEET_TITLE = _("报名名单")
INSTRUCTIONS_TITLE = _("填写说明")
CHOICES_TITLE = _("选项")
YES = _("是")
NO = _("否")


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    header: str | Promise  # lazy: translated when the template is written or a file is read
    required: bool = False
    text: bool = False  # formatted as text ("@") in the template, so Excel keeps every digit
    date: bool = False
    choices: str = ""  # "id_type" / "education" / "title" / "yes_no": a drop-down list
    width: int = 14
    note: str | Promise = ""


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("name", _("姓名"), required=True, width=12, note=_("必填，与证件上的姓名一致。")),
    ColumnSpec(
        "id_type",
        _("证件类型"),
        choices="id_type",
        width=18,
        note=_("从下拉列表选择；不填按居民身份证处理。"),
    ),
    ColumnSpec(
        "id_number",
        _("证件号码"),
        required=True,
        text=True,
        width=22,
        note=_("必填。本列已设为文本格式，请勿改为数字或常规格式，否则 18 位号码的后三位会变成 0。"),
    ),
    ColumnSpec("mobile", _("手机号码"), text=True, width=14, note=_("11 位手机号码，可不填。")),
    ColumnSpec(
        "work_years",
        _("本职业累计工作年限"),
        width=12,
        note=_("从事本职业或相关职业工作的年数，可含一位小数，如 5 或 2.5；不填按 0 年处理。"),
    ),
    ColumnSpec(
        "education", _("学历"), choices="education", width=28, note=_("从下拉列表选择；不填按“无”处理。")
    ),
    ColumnSpec(
        "education_related",
        _("本专业或相关专业"),
        choices="yes_no",
        width=10,
        note=_("所学专业是否为本专业或相关专业：是/否；不填按“否”处理。"),
    ),
    ColumnSpec("title_rank", _("职称"), choices="title", width=18, note=_("从下拉列表选择；无职称可不填。")),
    ColumnSpec(
        "title_obtained_on",
        _("取得职称时间"),
        date=True,
        width=14,
        note=_("日期，如 2020-06-30；填写职称时必填。"),
    ),
    ColumnSpec(
        "certificate_number",
        _("已有证书编号"),
        text=True,
        width=26,
        note=_("已取得的本职业或相关职业证书编号（22 位，或 16 位 / 13 位旧版编号）；多本用分号隔开。"),
    ),
    ColumnSpec(
        "certificate_issued_on",
        _("已有证书发证日期"),
        date=True,
        width=16,
        note=_("与证书编号一一对应，多本用分号隔开，如 2019-06-30；填写证书编号时必填。"),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


def id_type_choices() -> dict[str, str]:
    """The label shown in the template → the stored value."""
    return {str(label): value for value, label in Candidate.IdType.choices}


def education_choices() -> dict[str, str]:
    return {str(label): value for value, label in Education.choices}


def title_choices() -> dict[str, str]:
    return {str(label): value for value, label in TitleRank.choices}


def yes_no_choices() -> dict[str, bool]:
    return {str(YES): True, str(NO): False}


def choice_labels(kind: str) -> list[str]:
    """The drop-down labels of one kind of choice column, in order."""
    return {
        "id_type": lambda: list(id_type_choices()),
        "education": lambda: list(education_choices()),
        "title": lambda: list(title_choices()),
        "yes_no": lambda: list(yes_no_choices()),
    }[kind]()

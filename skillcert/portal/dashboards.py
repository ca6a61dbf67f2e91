"""Assembles a user's dashboard: one panel per kind of work the user's roles give, each with next steps.

The figures come from ``skillcert.portal.selectors``; this module only decides which panels a user sees
and words the next steps. A next step links to its page when that page exists and lets the user in;
until a later issue adds the page, the step says plainly that the function is not open yet.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from skillcert.accounts.models import User
from skillcert.accounts.roles import BODY_ROLES, STAFF_ROLES, Role
from skillcert.portal import selectors
from skillcert.portal.navigation import allowed_url
from skillcert.reference.models import Region
from skillcert.registry.models import Body


@dataclass(frozen=True, slots=True)
class NextStep:
    title: str
    detail: str = ""
    url: str | None = None
    urgent: bool = False
    not_open: bool = False  # the page for this step does not exist yet


@dataclass(frozen=True, slots=True)
class Panel:
    kind: str  # names the template ``portal/panels/<kind>.html``
    title: str | Promise
    data: object = None
    next_steps: list[NextStep] = field(default_factory=list)


def _step(
    user: User, title: str, url_name: str | None = None, detail: str = "", *, urgent: bool = False
) -> NextStep:
    """A step; with ``url_name``, a link to that page (or a "not open yet" mark while it is missing)."""
    url = allowed_url(url_name, user) if url_name else None
    return NextStep(
        title=title, detail=detail, url=url, urgent=urgent, not_open=bool(url_name) and url is None
    )


def _authority_admin_panel(user: User, region: Region, at: datetime | None) -> Panel:
    overview = selectors.authority_admin_overview(region=region, at=at)
    steps = []
    if overview.login_alert_users:
        steps.append(
            _step(
                user,
                _("核实 %(n)d 个登录异常账户") % {"n": len(overview.login_alert_users)},
                "accounts:login_alerts",
                _("这些账户近期多次登录失败，可能有人在猜测密码；与本人核实后可清除失败记录。"),
                urgent=True,
            )
        )
    if overview.staff_without_2fa:
        steps.append(
            _step(
                user,
                _("督促 %(n)d 名工作人员绑定双因素认证") % {"n": len(overview.staff_without_2fa)},
                detail=_("工作人员首次登录时用手机验证器（TOTP）扫码绑定，名单见下方。"),
            )
        )
    if overview.enumeration_alerts_open:
        steps.append(
            _step(
                user,
                _("处理 %(n)d 条证书查询异常告警") % {"n": overview.enumeration_alerts_open},
                "verification:alert_list",
                _("公开证书查询出现疑似批量遍历证书编号的迹象；核实后逐条确认。"),
                urgent=True,
            )
        )
    if overview.manages_calendar and overview.calendar_days_entered == 0:
        steps.append(
            _step(
                user,
                _("录入 %(year)d 年法定节假日与调休安排") % {"year": overview.calendar_year},
                "reference:calendar",
                _("国务院办公厅公布次年放假安排后录入；所有按工作日计算的期限都依据此日历。"),
                urgent=True,
            )
        )
    return Panel(kind="authority_admin", title=_("账户与系统管理"), data=overview, next_steps=steps)


def _region_panel(user: User, region: Region) -> Panel:
    overview = selectors.region_overview(region=region)
    steps = []
    if user.has_role(Role.FILING_REVIEWER):
        steps.append(
            _step(
                user,
                _("审核评价机构的备案申请"),
                "registry:filing_list",
                _("按申请的职业（工种）、等级核对考评人员、题库和场地设备。"),
            )
        )
    if user.has_role(Role.SUPERVISOR):
        steps.append(_step(user, _("安排质量督导与抽查"), "supervision:plan_list"))
    if user.has_role(Role.STATISTICIAN):
        steps.append(_step(user, _("查看与导出人才统计"), "statistics:dashboard"))
    return Panel(kind="region", title=_("辖区评价机构"), data=overview, next_steps=steps)


def _body_admin_panel(user: User, body: Body) -> Panel:
    overview = selectors.body_overview(body=body)
    steps = []
    if overview.staff_without_2fa:
        steps.append(
            _step(
                user,
                _("提醒 %(n)d 名员工绑定双因素认证") % {"n": len(overview.staff_without_2fa)},
                detail=_("员工首次登录时用手机验证器（TOTP）扫码绑定。"),
            )
        )
    empty_roles = [group.label for group in overview.staff_groups if not group.members]
    if empty_roles:
        steps.append(_step(user, _("为以下岗位配备人员：%(roles)s") % {"roles": "、".join(empty_roles)}))
    steps.append(_step(user, _("提交或变更本机构的备案"), "registry:filing_list"))
    return Panel(kind="body_admin", title=_("本机构"), data=overview, next_steps=steps)


def _body_staff_panel(user: User, body: Body) -> Panel:
    own = user.role_set & BODY_ROLES - {Role.BODY_ADMIN}
    roles = [str(role.label) for role in Role if role.value in own]
    steps = []
    if user.has_role(Role.EXAM_STAFF):
        steps.append(_step(user, _("编制考前计划、受理考生报名"), "evaluation:plan_list"))
    if user.has_role(Role.EXAMINER):
        steps.append(_step(user, _("查看分派给我的评价任务并录入成绩"), "evaluation:my_assignments"))
    if user.has_role(Role.INTERNAL_SUPERVISOR):
        steps.append(_step(user, _("对本机构的评价活动进行内部督导"), "evaluation:supervision_list"))
    data = {"body": body, "roles": "、".join(roles)}
    return Panel(kind="body_staff", title=_("我的岗位"), data=data, next_steps=steps)


def _candidate_panel(user: User) -> Panel:
    overview = selectors.candidate_overview(user=user)
    steps = []
    if overview.candidate is None:
        steps.append(
            _step(
                user,
                _("完善考生信息"),
                "accounts:profile",
                _("填写证件类型、证件号码和手机号码后才能报名。"),
                urgent=True,
            )
        )
    elif overview.missing:
        steps.append(
            _step(
                user,
                _("补充：%(fields)s") % {"fields": "、".join(overview.missing)},
                "accounts:profile",
                urgent=True,
            )
        )
    steps.append(_step(user, _("查找评价机构与报名批次"), "registry:directory"))
    steps.append(_step(user, _("查询本人证书"), "verification:query"))
    return Panel(kind="candidate", title=_("考生信息"), data=overview, next_steps=steps)


def _security_steps(user: User) -> list[NextStep]:
    if not user.role_set & STAFF_ROLES or selectors.user_has_confirmed_totp(user=user):
        return []
    return [
        _step(
            user,
            _("绑定双因素认证（TOTP 验证器）"),
            "accounts:two_factor",
            _("工作人员账户须以验证器动态码登录，以保护考生个人信息。"),
            urgent=True,
        )
    ]


@dataclass(frozen=True, slots=True)
class Dashboard:
    panels: list[Panel]
    account_steps: list[NextStep]


def dashboard_for(*, user: User, at: datetime | None = None) -> Dashboard:
    """The panels for every role ``user`` holds, in a fixed order, and their own account's to-dos."""
    panels = []
    region = user.authority_region if user.authority_region_id else None
    if region is not None:
        if user.has_role(Role.AUTHORITY_ADMIN):
            panels.append(_authority_admin_panel(user, region, at))
        if user.has_role(Role.FILING_REVIEWER, Role.SUPERVISOR, Role.STATISTICIAN, Role.AUTHORITY_ADMIN):
            panels.append(_region_panel(user, region))
    body = user.body if user.body_id else None
    if body is not None:
        if user.has_role(Role.BODY_ADMIN):
            panels.append(_body_admin_panel(user, body))
        if user.has_role(Role.EXAM_STAFF, Role.EXAMINER, Role.INTERNAL_SUPERVISOR):
            panels.append(_body_staff_panel(user, body))
    if user.has_role(Role.CANDIDATE):
        panels.append(_candidate_panel(user))
    return Dashboard(panels=panels, account_steps=_security_steps(user))

"""The demo bodies' filings (备案): each body applies through the filing services and its district approves.

A body the demo has just created is unfiled, so its application is an initial filing; a body that an
earlier version of the demo marked filed directly gets a scope change instead. Either way the application
declares the body's site and the scope below, is submitted by the body's administrator and approved by the
reviewer of the body's district, who assigns the site's sequence code. A body that already has an
approved filing, or one still in progress (someone is working on it in the portal), is left alone, and
so is a body whose demo administrator or district reviewer account is not what the demo defines (an
account of that username existed before the demo with another role).
"""

from dataclasses import dataclass

from skillcert.accounts.models import User
from skillcert.reference.models import JobType, Occupation, Region, SkillLevel
from skillcert.registry.models import Body, FilingApplication
from skillcert.registry.selectors import (
    filing_open_for_body,
    user_administers_body,
    user_reviews_district,
)
from skillcert.registry.services import (
    ScopeDeclaration,
    SiteDeclaration,
    filing_application_start,
    filing_approve,
    filing_scope_add,
    filing_site_add,
    filing_submit,
)


@dataclass(frozen=True, slots=True)
class DemoScope:
    occupation: str  # occupation code
    job_type: str | None
    levels: tuple[str, ...]
    question_bank: str
    equipment: str


@dataclass(frozen=True, slots=True)
class DemoFiling:
    body: str  # a DemoBody key
    admin: str  # username of the body administrator who applies
    reviewer: str  # username of the district reviewer who approves
    site_name: str
    site_address: str
    site_code: str  # the 6-digit sequence code the reviewer assigns
    scope: tuple[DemoScope, ...]


ELECTRICIAN = "6-31-01-03"  # 电工
WELDER = "6-18-02-04"  # 焊工 (工种 电焊工)
WELDER_JOB_TYPE = "电焊工"
ELDERLY_CARE = "4-10-01-05"  # 养老护理员
CHINESE_COOK = "4-03-02-01"  # 中式烹调师
HR_MANAGER = "4-07-03-04"  # 企业人力资源管理师

FILINGS = (
    DemoFiling(
        body="pujiang",
        admin="pj_admin",
        reviewer="pd_reviewer",
        site_name="浦江机电实训基地",
        site_address="上海市浦东新区川桥路 1288 号 3 号楼",
        site_code="001501",
        scope=(
            DemoScope(
                ELECTRICIAN,
                None,
                ("L5", "L4", "L3"),
                "上海市职业技能等级认定题库（电工）",
                "低压电工实训台 24 套，电气控制线路装调工位 24 个，万用表、兆欧表等仪表",
            ),
            DemoScope(
                WELDER,
                WELDER_JOB_TYPE,
                ("L4", "L3"),
                "上海市职业技能等级认定题库（焊工·电焊工）",
                "焊接工位 20 个（焊条电弧焊、CO₂ 气体保护焊），排烟系统，焊缝检测器具",
            ),
        ),
    ),
    DemoFiling(
        body="minhang",
        admin="mh_center_admin",
        reviewer="mh_reviewer",
        site_name="闵行职业技能评价中心莘庄考点",
        site_address="上海市闵行区莘庄镇示范路 66 号 2 楼",
        site_code="001201",
        scope=(
            DemoScope(
                ELDERLY_CARE,
                None,
                ("L5", "L4"),
                "上海市职业技能等级认定题库（养老护理员）",
                "模拟居室照护工位 12 个，护理床、轮椅、仿真照护模型",
            ),
            DemoScope(
                CHINESE_COOK,
                None,
                ("L4",),
                "上海市职业技能等级认定题库（中式烹调师）",
                "烹饪操作工位 16 个（灶台、砧板、刀具），原料储藏与冷藏设备",
            ),
            DemoScope(
                HR_MANAGER,
                None,
                ("L3", "L2"),
                "上海市职业技能等级认定题库（企业人力资源管理师）",
                "机考教室 1 间（40 座），综合评审会议室 1 间",
            ),
        ),
    ),
)


def _declarations(spec: DemoFiling) -> list[ScopeDeclaration]:
    rows = []
    for scope in spec.scope:
        occupation = Occupation.objects.get(code=scope.occupation)
        job_type = JobType.objects.get(occupation=occupation, name=scope.job_type) if scope.job_type else None
        for level in scope.levels:
            rows.append(
                ScopeDeclaration(
                    occupation=occupation,
                    job_type=job_type,
                    level=SkillLevel.objects.get(code=level),
                    examiners=3,
                    internal_supervisors=1,
                    question_bank=scope.question_bank,
                    equipment=scope.equipment,
                )
            )
    return rows


def demo_filings_ensure(*, bodies: dict[str, Body]) -> int:
    """File every demo body that has no filing yet; returns how many filings were approved."""
    approved = 0
    for spec in FILINGS:
        body = bodies[spec.body]
        if FilingApplication.objects.for_tenant(body).filter(
            status=FilingApplication.Status.APPROVED
        ).exists() or filing_open_for_body(body=body):
            continue
        admin = User.objects.filter(username=spec.admin).first()
        reviewer = User.objects.filter(username=spec.reviewer).first()
        # An account of that name made before the demo, for something else, is not the demo's to use.
        if not (
            admin is not None
            and reviewer is not None
            and user_administers_body(user=admin, body=body)
            and user_reviews_district(user=reviewer, district_code=body.district_id)
        ):
            continue
        application = filing_application_start(actor=admin, body=body)
        declared = filing_site_add(
            actor=admin,
            application=application,
            site=SiteDeclaration(
                name=spec.site_name,
                address=spec.site_address,
                district=Region.objects.get(code=body.district_id),
            ),
        )
        for row in _declarations(spec):
            filing_scope_add(actor=admin, application=application, scope=row)
        filing_submit(actor=admin, application=application)
        filing_approve(actor=reviewer, application=application, site_codes={declared.pk: spec.site_code})
        approved += 1
    return approved

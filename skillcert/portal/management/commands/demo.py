"""``skillcert demo [--if-empty]``: load the demo data and print the demo accounts."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand

from skillcert.evaluation.models import EvaluationPlan
from skillcert.portal.demo import DemoAccount, DemoResult, demo_load


def _width(text: str) -> int:
    # Chinese characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def accounts_table(accounts: list[DemoAccount]) -> str:
    header = ("用户名", "角色", "范围")
    rows = [header, *((a.username, a.roles, a.scope or "—") for a in accounts)]
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def evaluation_summary(result: DemoResult) -> str:
    """What the evaluation part of the demo created, one line per kind."""
    evaluation = result.evaluation
    lines = [f"备案申请：新批准 {result.filings_approved} 份。"]
    if evaluation is None:
        return "\n".join(lines)
    lines.append(
        f"考评员资质：新建 {evaluation.qualifications_created} 条；"
        f"评价规范：新建 {evaluation.specs_created} 份。"
    )
    plans = sum(evaluation.plans_created.values())
    by_status = "，".join(
        f"{label} {evaluation.plans_created[status]} 个"
        for status, label in EvaluationPlan.Status.choices
        if evaluation.plans_created[status]
    )
    lines.append(f"评价计划：新建 {plans} 个" + (f"（{by_status}）。" if by_status else "。"))
    lines.append(
        f"报名：新增 {evaluation.applications_created} 条；证书：新发放 {evaluation.certificates_issued} 本。"
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "加载演示数据（人社部门、评价机构、工作人员、考生、备案、评价规范、各阶段的评价计划和证书）"
        "并列出演示账户。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库中已有评价机构时不改动任何数据，只列出演示账户。",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        result = demo_load(if_empty=if_empty, evaluation=True)
        out = self.stdout
        if result.loaded:
            out.write(
                f"演示数据已加载：新建用户 {result.users_created} 个，评价机构 {result.bodies_created} 个，"
                f"考生 {result.candidates_created} 名（已存在的保持不变）。"
            )
            out.write(evaluation_summary(result))
        else:
            out.write("数据库中已有评价机构，未改动数据（--if-empty）。")
        if result.accounts:
            out.write("\n演示账户：\n" + accounts_table(result.accounts))
            out.write(f"\n所有演示账户的密码：{settings.SKILLCERT_DEMO_PASSWORD}")
        else:
            out.write("数据库中没有演示账户。")
        if settings.SKILLCERT_REQUIRE_2FA:
            out.write(
                "双因素登录：已开启。人社部门和评价机构的工作人员首次登录时，须用手机上的 TOTP 验证器"
                "（如 Microsoft Authenticator、Google Authenticator）扫码绑定，之后每次登录输入 6 位动态码；"
                "考生账户无需绑定。"
            )
        else:
            out.write("双因素登录：已关闭（SKILLCERT_REQUIRE_2FA=0），工作人员只需用户名和密码即可登录。")

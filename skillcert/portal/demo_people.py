"""The demo's synthetic applicants: names, valid resident ID numbers, mobiles and eligibility evidence.

Everything is derived from the plan's position and the applicant's index, so every run of the demo
produces the same people (and a second run finds them already registered). ID numbers carry a real
GB/T 2260 address code (Shanghai districts and the provinces many Shanghai workers come from), a birth
date suited to the level applied for, and a sequence number unique across the demo.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from skillcert.core.identifiers.resident_id import resident_id_check_character
from skillcert.evaluation.eligibility import Evidence
from skillcert.evaluation.models import Education, TitleRank

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶"
    "黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN_MALE = (
    "建华", "国强", "志刚", "海涛", "伟", "磊", "俊", "鹏", "浩然", "子豪", "宇航", "文博",
    "明辉", "德胜", "立新", "永强", "晓东", "春生", "振宇", "嘉豪", "天佑", "家乐", "一鸣", "思远",
    "卫东", "长青", "金龙", "成", "斌", "杰",
)  # fmt: skip
GIVEN_FEMALE = (
    "秀兰", "丽娟", "桂英", "美玲", "雪梅", "静", "敏", "婷", "慧", "佳怡", "欣怡", "雨涵",
    "梦洁", "晓燕", "春燕", "玉珍", "海燕", "红霞", "丹", "琳", "倩", "颖", "瑶", "思琪",
    "诗涵", "芳芳", "晓琳", "秀珍", "月娥", "凤",
)  # fmt: skip
# Shanghai districts first, then 安徽、江苏、浙江、河南、湖北、四川、山东、江西 (real GB/T 2260 codes).
ADDRESS_CODES = (
    "310115", "310112", "310104", "310107", "310110", "310113", "310120", "310101",
    "340104", "320102", "330106", "410105", "420106", "510104", "370102", "360102",
)  # fmt: skip
# Birth years by level: old enough for the work years each level asks, young enough to be still working.
BIRTH_YEARS = {"L5": (1980, 2004), "L4": (1978, 1999), "L3": (1976, 1994), "L2": (1975, 1989)}


@dataclass(frozen=True, slots=True)
class DemoPerson:
    name: str
    id_number: str
    mobile: str
    evidence: Evidence


def _person_evidence(*, level: str, index: int, birth: date, occupation_kind: str) -> Evidence:
    """Evidence that meets a route of the level (the route varies with the index, as in real life)."""
    oldest = max(0, timezone.localdate().year - birth.year - 18)  # years of work since 18
    if level == "L5":
        return Evidence(work_years=Decimal(1 + index % min(8, oldest + 1)))
    if level == "L4":
        if index % 3 == 0:
            return Evidence(
                education=Education.SECONDARY_VOCATIONAL if index % 2 else Education.TECHNICAL_SCHOOL,
                education_related=True,
                graduation_on=date(min(birth.year + 19, 2024), 7, 1),
                work_years=Decimal(min(oldest, 3)),
            )
        return Evidence(work_years=Decimal(6 + index % max(1, min(12, oldest - 5))))
    if level == "L3":
        if occupation_kind == "office" and index % 2 == 0:
            return Evidence(
                education=Education.BACHELOR,
                education_related=True,
                graduation_on=date(birth.year + 22, 7, 1),
                work_years=Decimal(4 + index % 5),
            )
        return Evidence(work_years=Decimal(10 + index % max(1, min(15, oldest - 9))))
    # L2: 中级职称 held for more than a year (职称 → 技能等级 bridge), with years of work.
    return Evidence(
        education=Education.BACHELOR,
        education_related=True,
        graduation_on=date(birth.year + 22, 7, 1),
        work_years=Decimal(12 + index % 6),
        title_rank=TitleRank.INTERMEDIATE,
        title_obtained_on=date(2018 + index % 5, 12, 31),
    )


def demo_people(
    *, plan_index: int, count: int, level: str, women_share: int = 30, occupation_kind: str = "trade"
) -> list[DemoPerson]:
    """``count`` applicants for the demo plan at ``plan_index``; ``women_share`` is a percentage."""
    first_year, last_year = BIRTH_YEARS[level]
    people = []
    for index in range(count):
        serial = plan_index * 20 + index  # unique across the demo (a plan has fewer than 20 applicants)
        woman = (serial * 37) % 100 < women_share
        given = GIVEN_FEMALE if woman else GIVEN_MALE
        name = SURNAMES[(serial * 7) % len(SURNAMES)] + given[(serial * 11) % len(given)]
        birth = date(
            first_year + (serial * 5) % (last_year - first_year + 1), 1 + serial % 12, 1 + (serial * 3) % 28
        )
        # The sequence number's last digit gives the sex: odd for men, even for women.
        sequence = f"{2 * serial + (0 if woman else 1):03d}"
        first17 = f"{ADDRESS_CODES[serial % len(ADDRESS_CODES)]}{birth:%Y%m%d}{sequence}"
        id_number = first17 + resident_id_check_character(first17)
        people.append(
            DemoPerson(
                name=name,
                id_number=id_number,
                mobile=f"139{16000000 + serial * 7919 % 10_000_000:08d}",
                evidence=_person_evidence(
                    level=level, index=index, birth=birth, occupation_kind=occupation_kind
                ),
            )
        )
    return people

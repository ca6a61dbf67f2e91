"""Seed the eligibility routes (申报条件) of domain-cn-skills.md §4.4 and the title bridge of §7.

Template A ``standard_2018``: standards written under 国家职业技能标准编制技术规程(2018年版); the routes that
"some standards add" are included, marked （部分标准）. Template B ``standard_2023``: standards written under
国家职业标准编制技术规程(2023年版). ``title_bridge``: 专业技术人才 with a 助理级/初级, 中级 or 副高级 title may
apply for 三级, 二级 or 一级 whatever the template (the year held is the Template B value, 满1年).

Condition kinds (evaluated by ``skillcert.evaluation.eligibility``): ``work_years`` (``min`` years, or
``more_than``), ``apprenticeship``, ``certificate`` (``level_digit``: that level or a higher one, optional
``years_since`` its issue), ``education`` (``in``: Education values, ``related``: the major must be the
occupation's own or a related one), ``title`` (``rank_at_least``, optional ``years_since``).

The data is frozen here; administrators change routes through later migrations or the admin, never by
editing this file.
"""

from django.db import migrations

A, B, T = "standard_2018", "standard_2023", "title_bridge"

# Education groups (values of skillcert.evaluation.models.applications.Education).
TECHNICAL_SCHOOL = ["technical_school"]
SENIOR_TECHNICAL = ["senior_technical_school", "technician_college_prep"]
TECHNICIAN_PREP = ["technician_college_prep"]
VOCATIONAL_SECONDARY_UP = [
    "secondary_vocational",
    "technical_school",
    "senior_technical_school",
    "technician_college_prep",
    "higher_vocational",
]
COLLEGE_UP = ["higher_vocational", "bachelor", "master", "doctorate"]
BACHELOR_UP = ["bachelor", "master", "doctorate"]
MASTER_UP = ["master", "doctorate"]
DOCTORATE = ["doctorate"]
SCHOOLS_B_L4 = [
    "secondary_vocational",
    "technical_school",
    "senior_technical_school",
    "technician_college_prep",
    "higher_vocational",
    "bachelor",
    "master",
    "doctorate",
]


def years(n):
    return {"kind": "work_years", "min": n}


def cert(digit, since=None):
    condition = {"kind": "certificate", "level_digit": digit}
    if since:
        condition["years_since"] = since
    return condition


def edu(values):
    return {"kind": "education", "in": values, "related": True}


def title(rank, since):
    return {"kind": "title", "rank_at_least": rank, "years_since": since}


# (template, level code, route number, label, conditions)
ROUTES = [
    # ---- Template A (2018 规程) ----
    (A, "L5", "1", "累计从事本职业或相关职业工作1年(含)以上", [years(1)]),
    (A, "L5", "2", "本职业或相关职业学徒期满", [{"kind": "apprenticeship"}]),
    (A, "L4", "1", "取得本职业或相关职业五级/初级工职业资格证书(技能等级证书)后，累计从事本职业或相关职业工作4年(含)以上", [cert(5, 4)]),
    (A, "L4", "2", "累计从事本职业或相关职业工作6年(含)以上", [years(6)]),
    (A, "L4", "3", "取得技工学校本专业或相关专业毕业证书(含尚未取得毕业证书的在校应届毕业生)；或取得经评估论证、以中级技能为培养目标的中等及以上职业学校本专业或相关专业毕业证书(含尚未取得毕业证书的在校应届毕业生)", [edu(VOCATIONAL_SECONDARY_UP)]),
    (A, "L3", "1", "取得本职业或相关职业四级/中级工职业资格证书(技能等级证书)后，累计从事本职业或相关职业工作5年(含)以上", [cert(4, 5)]),
    (A, "L3", "2", "取得本职业或相关职业四级/中级工职业资格证书(技能等级证书)，并具有高级技工学校、技师学院毕业证书(含尚未取得毕业证书的在校应届毕业生)；或取得本职业或相关职业四级/中级工职业资格证书(技能等级证书)，并具有经评估论证、以高级技能为培养目标的高等职业学校本专业或相关专业毕业证书(含尚未取得毕业证书的在校应届毕业生)", [cert(4), edu([*SENIOR_TECHNICAL, "higher_vocational"])]),
    (A, "L3", "3", "具有大专及以上本专业或相关专业毕业证书，并取得本职业或相关职业四级/中级工职业资格证书(技能等级证书)后，累计从事本职业或相关职业工作2年(含)以上", [edu(COLLEGE_UP), cert(4, 2)]),
    (A, "L3", "4", "具有本科及以上本专业或相关专业毕业证书，并取得本职业或相关职业四级/中级工职业资格证书(技能等级证书)后，累计从事本职业或相关职业工作1年(含)以上（部分标准）", [edu(BACHELOR_UP), cert(4, 1)]),
    (A, "L3", "5", "具有硕士及以上本专业或相关专业学位证书（部分标准）", [edu(MASTER_UP)]),
    (A, "L2", "1", "取得本职业或相关职业三级/高级工职业资格证书(技能等级证书)后，累计从事本职业或相关职业工作4年(含)以上", [cert(3, 4)]),
    (A, "L2", "2", "取得本职业或相关职业三级/高级工职业资格证书(技能等级证书)的高级技工学校、技师学院毕业生，累计从事本职业或相关职业工作3年(含)以上", [cert(3), edu(SENIOR_TECHNICAL), years(3)]),
    (A, "L2", "2b", "取得本职业或相关职业预备技师证书的技师学院毕业生，累计从事本职业或相关职业工作2年(含)以上", [edu(TECHNICIAN_PREP), years(2)]),
    (A, "L2", "3", "具有本科及以上本专业或相关专业毕业证书，并取得本职业或相关职业三级/高级工职业资格证书(技能等级证书)后，累计从事本职业或相关职业工作2年(含)以上（部分标准）", [edu(BACHELOR_UP), cert(3, 2)]),
    (A, "L2", "4", "具有硕士及以上本专业或相关专业学位证书，并取得本职业或相关职业三级/高级工职业资格证书(技能等级证书)后，累计从事本职业或相关职业工作1年(含)以上（部分标准）", [edu(MASTER_UP), cert(3, 1)]),
    (A, "L2", "5", "具有博士本专业或相关专业学位证书，累计从事本职业或相关职业工作2年(含)以上（部分标准）", [edu(DOCTORATE), years(2)]),
    (A, "L1", "1", "取得本职业或相关职业二级/技师职业资格证书(技能等级证书)后，累计从事本职业或相关职业工作4年(含)以上", [cert(2, 4)]),
    # ---- Template B (2023 规程) ----
    (B, "L5", "1", "年满16周岁，拟从事本职业或相关职业工作", []),
    (B, "L5", "2", "年满16周岁，从事本职业或相关职业工作", [{"kind": "work_years", "more_than": 0}]),
    (B, "L4", "1", "累计从事本职业或相关职业工作满5年", [years(5)]),
    (B, "L4", "2", "取得本职业或相关职业五级/初级工职业技能等级证书(职业资格证书)后，累计从事本职业或相关职业工作满3年", [cert(5, 3)]),
    (B, "L4", "3", "取得本专业或相关专业的技工院校或中等及以上职业院校、专科及以上普通高等学校毕业证书(含在读应届毕业生)", [edu(SCHOOLS_B_L4)]),
    (B, "L3", "1", "累计从事本职业或相关职业工作满10年", [years(10)]),
    (B, "L3", "2", "取得本职业或相关职业四级/中级工职业技能等级证书(职业资格证书)后，累计从事本职业或相关职业工作满4年", [cert(4, 4)]),
    (B, "L3", "3", "取得符合专业对应关系的初级职称(专业技术人员职业资格)后，累计从事本职业或相关职业工作满1年", [title("junior", 1)]),
    (B, "L3", "4", "取得本专业或相关专业的技工院校高级工班及以上毕业证书(含在读应届毕业生)", [edu(SENIOR_TECHNICAL)]),
    (B, "L3", "5", "取得本职业或相关职业四级/中级工职业技能等级证书(职业资格证书)，并取得高等职业学校、专科及以上普通高等学校本专业或相关专业毕业证书(含在读应届毕业生)", [cert(4), edu(COLLEGE_UP)]),
    (B, "L3", "6", "取得经评估论证的高等职业学校、专科及以上普通高等学校本专业或相关专业毕业证书(含在读应届毕业生)", [edu(COLLEGE_UP)]),
    (B, "L2", "1", "取得本职业或相关职业三级/高级工职业技能等级证书(职业资格证书)后，累计从事本职业或相关职业工作满5年", [cert(3, 5)]),
    (B, "L2", "2", "取得符合专业对应关系的初级职称(专业技术人员职业资格)后，累计从事本职业或相关职业工作满5年，并在取得本职业或相关职业三级/高级工职业技能等级证书(职业资格证书)后，从事本职业或相关职业工作满1年", [title("junior", 5), cert(3, 1)]),
    (B, "L2", "3", "取得符合专业对应关系的中级职称(专业技术人员职业资格)后，累计从事本职业或相关职业工作满1年", [title("intermediate", 1)]),
    (B, "L2", "4", "取得本职业或相关职业三级/高级工职业技能等级证书(职业资格证书)的高级技工学校、技师学院毕业生，累计从事本职业或相关职业工作满2年", [cert(3), edu(SENIOR_TECHNICAL), years(2)]),
    (B, "L2", "5", "取得本职业或相关职业三级/高级工职业技能等级证书(职业资格证书)满2年的技师学院预备技师班、技师班学生", [cert(3, 2), edu(TECHNICIAN_PREP)]),
    (B, "L1", "1", "取得本职业或相关职业二级/技师职业技能等级证书(职业资格证书)后，累计从事本职业或相关职业工作满5年", [cert(2, 5)]),
    (B, "L1", "2", "取得符合专业对应关系的中级职称后，累计从事本职业或相关职业工作满5年，并在取得本职业或相关职业二级/技师职业技能等级证书(职业资格证书)后，从事本职业或相关职业工作满1年", [title("intermediate", 5), cert(2, 1)]),
    (B, "L1", "3", "取得符合专业对应关系的高级职称(专业技术人员职业资格)后，累计从事本职业或相关职业工作满1年", [title("associate_senior", 1)]),
    # ---- Title bridge (职称 → 技能等级, §7), whatever the template ----
    (T, "L3", "1", "专业技术人才取得助理级(初级)职称满1年，累计工作年限达到申报条件，申报与现岗位相对应职业(工种)的三级/高级工", [title("junior", 1)]),
    (T, "L2", "1", "专业技术人才取得中级职称满1年，累计工作年限达到申报条件，申报与现岗位相对应职业(工种)的二级/技师", [title("intermediate", 1)]),
    (T, "L1", "1", "专业技术人才取得副高级职称满1年，累计工作年限达到申报条件，申报与现岗位相对应职业(工种)的一级/高级技师", [title("associate_senior", 1)]),
]


def route_code(template, level, number):
    return f"{template}:{level}:{number}"


def seed(apps, schema_editor):
    EligibilityRoute = apps.get_model("evaluation", "EligibilityRoute")
    for position, (template, level, number, label, conditions) in enumerate(ROUTES, start=1):
        EligibilityRoute.objects.update_or_create(
            code=route_code(template, level, number),
            defaults={
                "template": template,
                "level_id": level,
                "label": label,
                "conditions": conditions,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    EligibilityRoute = apps.get_model("evaluation", "EligibilityRoute")
    codes = [route_code(template, level, number) for template, level, number, _label, _c in ROUTES]
    EligibilityRoute.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0002_initial"),
        ("reference", "0002_seed_starter_sets"),
    ]
    operations = [migrations.RunPython(seed, unseed)]

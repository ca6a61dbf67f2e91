"""Importing 5,000 and 50,000 candidate rows from an .xlsx through ``application_import`` against a bare
bulk insert of the same rows (Candidate + Application ``bulk_create`` with every field precomputed).

The import is measured end to end: ZIP checks, parsing in the sandboxed child, every cell and ID checked,
eligibility decided, persons encrypted and indexed, rows written, one audit event. Each measured run
happens in a transaction that is rolled back afterwards, so every run starts from the same database.
"""

import io
import secrets
import time
from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction

from bench.timing import result

SIZES = ((5_000, 3), (50_000, 2))  # rows, repeats


class _Rollback(Exception):
    pass


def _best_seconds(operation: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        try:
            with transaction.atomic():
                start = time.perf_counter()
                operation()
                best = min(best, time.perf_counter() - start)
                raise _Rollback
        except _Rollback:
            pass
    return best


def _ids(count: int) -> list[str]:
    """``count`` distinct valid resident ID numbers (Pudong, born 1980 onwards)."""
    from skillcert.core.identifiers import resident_id_check_character

    numbers = []
    day = date(1980, 1, 1)
    while len(numbers) < count:
        for sequence in range(1, 200):
            first17 = f"310115{day:%Y%m%d}{sequence:03d}"
            numbers.append(first17 + resident_id_check_character(first17))
            if len(numbers) == count:
                break
        day += timedelta(days=1)
    return numbers


def _workbook(ids: list[str]) -> bytes:
    from openpyxl import Workbook

    from skillcert.evaluation.spreadsheets.columns import COLUMNS, SHEET_TITLE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(SHEET_TITLE))
    sheet.append([str(column.header) for column in COLUMNS])
    for i, number in enumerate(ids):
        sheet.append(
            [f"考生{i}", "居民身份证", number, f"138{i:08d}", 6 + i % 10, "高职/大专", "是", "", "", "", ""]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _world(tag: str, capacity: int):
    from django.utils import timezone

    from skillcert.accounts.models import User, UserRole
    from skillcert.accounts.roles import Role
    from skillcert.evaluation.models import EvaluationPlan, EvaluationSpec, PlanSession
    from skillcert.reference.models import Occupation, Region, SkillLevel
    from skillcert.registry.models import Body, Site

    district = Region.objects.get(code="310115")
    body = Body.objects.create(
        name=f"导入基准评价机构{tag}",
        credit_code=f"IMPORT{tag}"[:18],
        kind=Body.Kind.EMPLOYER,
        district=district,
        filing_status=Body.FilingStatus.FILED,
        filed_at=timezone.now(),
    )
    site = Site.objects.create(
        tenant=body, name="基准站点", address="浦东新区", district=district, sequence_code=tag
    )
    admin = User.objects.create(username=f"import_admin_{tag}", body=body)
    UserRole.objects.create(user=admin, role=Role.BODY_ADMIN)
    spec = EvaluationSpec.objects.create(
        tenant=body,
        occupation=Occupation.objects.get(code="4-03-02-01"),
        level=SkillLevel.objects.get(code="L4"),
    )
    plan = EvaluationPlan.objects.create(
        tenant=body,
        number=f"I{tag}",
        spec=spec,
        site=site,
        capacity=capacity,
        status=EvaluationPlan.Status.ACKNOWLEDGED,
    )
    starts = timezone.now() + timedelta(days=30)
    PlanSession.objects.create(
        plan=plan, component="theory", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    return body, admin, plan


def _cleanup(body, admin) -> None:
    from skillcert.evaluation.models import EvaluationPlan, EvaluationSpec
    from skillcert.registry.models import Site

    EvaluationPlan.objects.filter(tenant=body).delete()
    EvaluationSpec.objects.filter(tenant=body).delete()
    Site.objects.filter(tenant=body).delete()
    admin.roles.all().delete()
    admin.delete()
    body.delete()


def _bare_rows(plan, ids: list[str]):
    """Candidate and Application objects with every field computed before the clock starts."""
    from skillcert.accounts.identity import id_number_blind_index
    from skillcert.accounts.models import Candidate
    from skillcert.core.personal_data import encrypt, mask_id_number
    from skillcert.evaluation.models import Application

    people = [
        Candidate(
            name=f"考生{i}",
            id_type="resident_id",
            id_number_ciphertext=encrypt(number, purpose="resident_id"),
            id_number_index=id_number_blind_index(id_type="resident_id", number=number),
            id_number_masked=mask_id_number(number),
            birth_date=date(1990, 1, 1),
            sex="M",
            mobile=f"138{i:08d}",
        )
        for i, number in enumerate(ids)
    ]
    applications = [
        Application(
            tenant_id=plan.tenant_id,
            plan_id=plan.pk,
            status="eligible",
            source="body",
            work_years=6,
            education="higher_vocational",
            education_related=True,
            eligibility_route="standard_2018:L4:2",
            eligibility_explanation="符合申报条件",
            ticket_number=f"{plan.number}-{i + 1:05d}",
        )
        for i in range(len(ids))
    ]
    return people, applications


def run() -> list[dict]:
    from skillcert.accounts.models import Candidate
    from skillcert.evaluation.models import Application
    from skillcert.evaluation.services.application_import import application_import

    results = []
    for rows, repeats in SIZES:
        tag = f"{secrets.randbelow(900_000) + 100_000}"
        body, admin, plan = _world(tag, capacity=rows)
        try:
            ids = _ids(rows)
            content = _workbook(ids)
            people, applications = _bare_rows(plan, ids)

            def bare(people=people, applications=applications) -> None:
                for person in people:
                    person.pk = None
                created = Candidate.objects.bulk_create(people, batch_size=1000)
                for application, person in zip(applications, created, strict=True):
                    application.pk = None
                    application.candidate_id = person.pk
                Application.objects.bulk_create(applications, batch_size=1000)

            def imported(plan=plan, admin=admin, content=content, rows=rows) -> None:
                outcome = application_import(
                    plan=plan, content=content, filename="bench.xlsx", source="body", actor=admin
                )
                assert outcome.imported == rows, outcome

            bare_seconds = _best_seconds(bare, repeats)
            import_seconds = _best_seconds(imported, repeats)
        finally:
            _cleanup(body, admin)
        results.append(
            result(
                f"application_import ({rows:,} rows)",
                rows / import_seconds,
                "rows/s",
                rows / bare_seconds,
                "bare bulk_create of the same Candidate + Application rows",
            )
        )
    return results

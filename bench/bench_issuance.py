"""Issuing 10,000 certificates (numbers and rows, no credentials) against a bare bulk insert of the same rows.

The 10,000 passed applications are built with bulk_create, not through the services. Each measured run
happens in a transaction that is rolled back afterwards, so the plan, the serial counter and the audit
chain are back where they were for the next run; the bare insert is measured the same way.
"""

import secrets
import time
from collections.abc import Callable
from datetime import date

from django.db import transaction

from bench.timing import result

ROWS = 10_000
REPEATS = 5


class _Rollback(Exception):
    pass


def _seconds_rolled_back(operation: Callable[[], object]) -> float:
    try:
        with transaction.atomic():
            start = time.perf_counter()
            operation()
            elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _world(tag: str):
    """A filed body with a site, an approved 三级 plan and ROWS passed applications, created in bulk."""
    from django.utils import timezone

    from skillcert.accounts.models import Candidate, User, UserRole
    from skillcert.accounts.roles import Role
    from skillcert.evaluation.models import Application, EvaluationPlan, EvaluationSpec
    from skillcert.reference.models import Occupation, Region, SkillLevel
    from skillcert.registry.models import Body, Site

    district = Region.objects.get(code="310115")
    body = Body.objects.create(
        name=f"基准测试评价机构{tag}",
        credit_code=f"BENCH{tag}"[:18],
        kind=Body.Kind.EMPLOYER,
        district=district,
        filing_status=Body.FilingStatus.FILED,
        filed_at=timezone.now(),
    )
    site = Site.objects.create(
        tenant=body, name="基准站点", address="浦东新区", district=district, sequence_code=tag[-6:]
    )
    admin = User.objects.create(username=f"bench_admin_{tag}", body=body)
    UserRole.objects.create(user=admin, role=Role.BODY_ADMIN)
    spec = EvaluationSpec.objects.create(
        tenant=body,
        occupation=Occupation.objects.get(code="4-03-02-01"),
        level=SkillLevel.objects.get(code="L3"),
    )
    plan = EvaluationPlan.objects.create(
        tenant=body,
        number=f"B{tag}",
        spec=spec,
        site=site,
        capacity=ROWS,
        status=EvaluationPlan.Status.RESULTS_APPROVED,
    )
    from skillcert.accounts.services import ID_NUMBER_PURPOSE
    from skillcert.core.personal_data import encrypt

    # Real ciphertexts: issuance decrypts each holder's ID number once, for the credential's identity hash.
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                name=f"考生{i}",
                id_number_ciphertext=encrypt(f"31011519900101{i % 10000:04d}", purpose=ID_NUMBER_PURPOSE),
                id_number_index=f"bench-{tag}-{i}",
                id_number_masked="310***********000X",
            )
            for i in range(ROWS)
        ],
        batch_size=2000,
    )
    Application.objects.bulk_create(
        [
            Application(
                tenant=body,
                plan=plan,
                candidate=candidate,
                status=Application.Status.ELIGIBLE,
                result=Application.Result.PASSED,
                ticket_number=f"{tag}-{i:05d}",
            )
            for i, candidate in enumerate(candidates)
        ],
        batch_size=2000,
    )
    return body, site, admin, spec, plan


def _cleanup(body, admin) -> None:
    from skillcert.accounts.models import Candidate
    from skillcert.evaluation.models import Application, EvaluationPlan, EvaluationSpec
    from skillcert.registry.models import Site

    candidate_ids = list(Application.objects.filter(tenant=body).values_list("candidate_id", flat=True))
    Application.objects.filter(tenant=body).delete()
    Candidate.objects.filter(pk__in=candidate_ids).delete()
    EvaluationPlan.objects.filter(tenant=body).delete()
    EvaluationSpec.objects.filter(tenant=body).delete()
    Site.objects.filter(tenant=body).delete()
    admin.roles.all().delete()
    admin.delete()
    body.delete()


def run() -> list[dict]:
    from skillcert.certificates.models import Certificate
    from skillcert.certificates.services import certificates_issue_for_plan
    from skillcert.evaluation.models import Application

    tag = f"{secrets.randbelow(900_000) + 100_000}"  # also the site code: runs sharing a database never clash
    body, site, admin, spec, plan = _world(tag)
    issue_date = date(2025, 6, 30)
    try:
        applications = list(Application.objects.filter(plan=plan).select_related("candidate").order_by("pk"))
        prefix = f"Y000031{site.sequence_code}253"
        bare_rows = [
            Certificate(
                tenant=body,
                number=f"{prefix}{i + 1:06d}",
                application=a,
                candidate=a.candidate,
                holder_name=a.candidate.name,
                holder_id_type=a.candidate.id_type,
                occupation=spec.occupation,
                occupation_name=spec.occupation.name,
                job_type_name="--",
                level=spec.level,
                body_name=body.name,
                province_code="31",
                site_code=site.sequence_code,
                year=2025,
                serial=i + 1,
                issue_date=issue_date,
                issued_by=admin,
                qr_token=secrets.token_urlsafe(32),
            )
            for i, a in enumerate(applications)
        ]

        def bare() -> None:
            for row in bare_rows:
                row.pk = None  # a rolled-back run leaves the pks it was given on the instances
            Certificate.objects.bulk_create(bare_rows)

        def issue() -> None:
            issued = certificates_issue_for_plan(plan=plan, actor=admin, issue_date=issue_date)
            assert len(issued) == ROWS

        # Interleaved, best of REPEATS each: a burst of load on a shared machine hits both sides alike.
        bare_seconds = issue_seconds = float("inf")
        for _ in range(REPEATS):
            bare_seconds = min(bare_seconds, _seconds_rolled_back(bare))
            issue_seconds = min(issue_seconds, _seconds_rolled_back(issue))
    finally:
        _cleanup(body, admin)
    return [
        result(
            "certificates_issue_for_plan (10,000)",
            ROWS / issue_seconds,
            "rows/s",
            ROWS / bare_seconds,
            "bare bulk_create of the same certificate rows",
        )
    ]

"""Bulk registration of candidates from the plan's Excel template (机构登记 / 团体申报).

All or nothing: the whole file is read and checked first, and every problem is reported with its row
(as Excel numbers it), column (letter and header) and reason; if there is any, nothing is written.
Otherwise, in one transaction: new persons are created, applications are created (eligible, with their
route and ticket number) and one audit event records the import (counts and the file's SHA-256).

Importing the same file again creates nothing twice: a row whose person has already applied to this plan
with the same name and evidence counts as "unchanged" (not an error). The same person with different
evidence is a problem ("already registered"), because an import never silently overwrites an
application; a withdrawn or ineligible application of the person is submitted again with the new
evidence (the row is reused, as in ``application_submit``).

Fast path: one query for the existing persons of the whole file (by blind index), one for the plan's
applications, the eligibility routes loaded once, ``bulk_create`` in chunks, one audit event. Persons
are built here with the same normalisation, blind index, encryption and mask as ``candidate_create``
(which audits each person and would cost a chain write per row).

Progress and the write lock: reading the file and checking every row (cells, identity, eligibility,
registrations, capacity) run before the write transaction, reporting ``progress(phase, done, total)``
(a background job commits it to its row; SQLite has one writer, so nothing may be committed while a write
transaction is open). Only the writing happens in the transaction, after the plan's lock is taken and
what the checks relied on (the file's persons, the plan's applications, its capacity and first day) is
read again: if anything changed meanwhile, the rows are checked again under the lock, so the outcome is
exactly what a fully locked import would have decided.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skillcert.accounts.models import Candidate, User
from skillcert.accounts.services import ID_NUMBER_PURPOSE
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.personal_data import encrypt, mask_id_number
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.evaluation.eligibility import eligibility_routes
from skillcert.evaluation.models import Application, EvaluationPlan
from skillcert.evaluation.selectors.applications import OCCUPYING_STATUSES
from skillcert.evaluation.selectors.plans import user_manages_plan
from skillcert.evaluation.services.applications import (
    MSG_NOT_MANAGER,
    clean_group_name,
    eligibility_decide,
    evidence_fields,
    lock_plan,
    require_open,
    ticket_numbers_next,
)
from skillcert.evaluation.spreadsheets.columns import SHEET_TITLE
from skillcert.evaluation.spreadsheets.import_rows import ImportProblem, ParsedRow, parse_sheet
from skillcert.evaluation.spreadsheets.reader import SpreadsheetRejected, workbook_read

Status = Application.Status
Source = Application.Source
BATCH_SIZE = 1000
LOOKUP_CHUNK = 5000  # IN-list size for the existing-person query (SQLite's variable limit is 32,766)
REAPPLY_STATUSES = (Status.WITHDRAWN, Status.INELIGIBLE)
COMPARED_FIELDS = ("work_years", "education", "education_related", "title_rank", "title_obtained_on")
PHASE_READ = gettext_lazy("读取文件")
PHASE_CHECK = gettext_lazy("校验")
PHASE_WRITE = gettext_lazy("写入")


class ImportProgress(Protocol):
    """Told where the import is: phase (读取文件 / 校验 / 写入), rows done, rows in the phase."""

    def __call__(self, phase: str, done: int, total: int) -> None: ...


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


class ImportRejected(ApplicationError):
    """The file was not imported; ``problems`` lists every reason (row and column where known)."""

    def __init__(self, message: str, *, problems: list[ImportProblem]) -> None:
        super().__init__(message, extra={"status": 422})
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ImportResult:
    imported: int  # applications created (or a withdrawn / ineligible one submitted again)
    unchanged: int  # rows already registered for this plan with the same data
    candidates_created: int
    rows: int
    sha256: str


def _reject_file(message: str) -> ImportRejected:
    return ImportRejected(
        message, problems=[ImportProblem(row=None, column=None, header="", message=message)]
    )


def _reject(problems: list[ImportProblem]) -> ImportRejected:
    problems.sort(key=ImportProblem.sort_key)
    rows = {problem.row for problem in problems if problem.row is not None}
    return ImportRejected(
        _("文件有 %(count)d 处问题（涉及 %(rows)d 行），未导入任何数据。请修改后重新上传。")
        % {"count": len(problems), "rows": len(rows)},
        problems=problems,
    )


def _existing_candidates(rows: list[ParsedRow]) -> dict[tuple[str, str], dict[str, Any]]:
    keys = {(row.id_type, row.index) for row in rows}
    indexes = sorted({index for _type, index in keys})
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(indexes), LOOKUP_CHUNK):
        for candidate in Candidate.objects.filter(
            id_number_index__in=indexes[start : start + LOOKUP_CHUNK]
        ).values("pk", "id_type", "id_number_index", "name", "birth_date", "sex"):
            key = (candidate["id_type"], candidate["id_number_index"])
            if key in keys:
                found[key] = dict(candidate)
    return found


def _field_label(name: str) -> str:
    return str(getattr(Application._meta.get_field(name), "verbose_name", name))


def _differences(row: ParsedRow, application: Application) -> list[str]:
    fields = evidence_fields(row.evidence)
    labels = [_field_label(name) for name in COMPARED_FIELDS if fields[name] != getattr(application, name)]
    if fields["prior_certificates"] != (application.prior_certificates or []):
        labels.append(_field_label("prior_certificates"))
    return labels


@dataclass(slots=True)
class _Plan:
    """What the checks against the database decided for each row."""

    new: list[
        tuple[ParsedRow, dict[str, Any] | None, Application | None, Any]
    ]  # row, person, old app, decision
    unchanged: int


@dataclass(slots=True)
class _Known:
    """What the database holds that the checks depend on, read in one go."""

    persons: dict[tuple[str, str], dict[str, Any]]
    applications: dict[int, Application]  # candidate id → the plan's application
    capacity: int
    first_day: date | None

    @classmethod
    def read(cls, *, plan: EvaluationPlan, rows: list[ParsedRow], first_day: date | None) -> "_Known":
        return cls(
            persons=_existing_candidates(rows),
            applications={a.candidate_id: a for a in Application.objects.filter(plan=plan).order_by("pk")},
            capacity=plan.capacity,
            first_day=first_day,
        )

    def fingerprint(self) -> tuple:
        fields = ("pk", "status", "ticket_number", *COMPARED_FIELDS, "prior_certificates")
        return (
            self.persons,
            [tuple(getattr(a, name) for name in fields) for a in self.applications.values()],
            self.capacity,
            self.first_day,
        )


def _check_against_database(
    *,
    plan: EvaluationPlan,
    rows: list[ParsedRow],
    known: _Known,
    on: date,
    problems: list[ImportProblem],
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> _Plan:
    persons, applications = known.persons, known.applications
    routes = eligibility_routes(spec=plan.spec)
    outcome = _Plan(new=[], unchanged=0)
    total = len(rows)
    for position, row in enumerate(rows):
        progress(position, total)
        person = persons.get((row.id_type, row.index))
        if person is not None and person["name"] != row.name:
            problems.append(
                row.problem("name", _("该证件号码已登记的考生姓名与本行填写的姓名不一致，请核对。"))
            )
            continue
        existing = applications.get(person["pk"]) if person else None
        if existing is not None and existing.status not in REAPPLY_STATUSES:
            differences = _differences(row, existing)
            if not differences:
                outcome.unchanged += 1
                continue
            problems.append(
                row.problem(
                    "id_number",
                    _(
                        "该考生已报名本计划（%(status)s），本行的%(fields)s与已登记的不一致；导入不会覆盖已有报名，"
                        "如需更正，请先在报名名单中撤回该报名。"
                    )
                    % {"status": existing.get_status_display(), "fields": "、".join(differences)},
                )
            )
            continue
        birth_date, sex = (person["birth_date"], person["sex"]) if person else (row.birth_date, row.sex)
        decision = eligibility_decide(
            routes=routes, evidence=row.evidence, birth_date=birth_date, sex=sex, on=on
        )
        if not decision.eligible:
            problems.append(row.problem(None, _("不符合申报条件：%(why)s") % {"why": decision.explanation}))
            continue
        outcome.new.append((row, person, existing, decision))
    progress(total, total)
    occupied = sum(1 for application in applications.values() if application.status in OCCUPYING_STATUSES)
    room = known.capacity - occupied
    for position, (row, *_rest) in enumerate(outcome.new, start=1):
        if position > room:
            problems.append(
                row.problem(
                    None,
                    _(
                        "超出计划人数：本计划共 %(capacity)d 个名额，已报名 %(occupied)d 人，"
                        "本行是文件中第 %(n)d 名新考生。"
                    )
                    % {"capacity": known.capacity, "occupied": occupied, "n": position},
                )
            )
    return outcome


def _create_candidates(rows: list[ParsedRow]) -> dict[tuple[str, str], int]:
    people = [
        Candidate(
            name=row.name,
            id_type=row.id_type,
            id_number_ciphertext=encrypt(row.id_number, purpose=ID_NUMBER_PURPOSE),
            id_number_index=row.index,
            id_number_masked=mask_id_number(row.id_number),
            birth_date=row.birth_date,
            sex=row.sex,
            mobile=row.mobile,
        )
        for row in rows
    ]
    created = Candidate.objects.bulk_create(people, batch_size=BATCH_SIZE)
    return {(person.id_type, person.id_number_index): person.pk for person in created}


def _write(*, plan: EvaluationPlan, outcome: _Plan, source: str, group_name: str, actor: User) -> int:
    fresh = [row for row, person, _old, _decision in outcome.new if person is None]
    person_ids = _create_candidates(fresh)
    tickets = iter(ticket_numbers_next(plan=plan, count=len(outcome.new)))
    created: list[Application] = []
    reapplied: list[Application] = []
    for row, person, old, decision in outcome.new:
        fields = {
            **evidence_fields(row.evidence),
            "source": source,
            "group_name": group_name,
            "status": Status.ELIGIBLE,
            "eligibility_route": decision.route_code,
            "eligibility_explanation": decision.explanation,
        }
        if old is not None:
            for name, value in fields.items():
                setattr(old, name, value)
            old.ticket_number = old.ticket_number or next(tickets)
            reapplied.append(old)
            continue
        candidate_id = person["pk"] if person else person_ids[(row.id_type, row.index)]
        created.append(
            Application(
                tenant_id=plan.tenant_id,
                plan_id=plan.pk,
                candidate_id=candidate_id,
                ticket_number=next(tickets),
                created_by=actor,
                **fields,
            )
        )
    Application.objects.bulk_create(created, batch_size=BATCH_SIZE)
    if reapplied:
        Application.objects.bulk_update(
            reapplied,
            [
                *evidence_fields(outcome.new[0][0].evidence),
                "source",
                "group_name",
                "status",
                "eligibility_route",
                "eligibility_explanation",
                "ticket_number",
            ],
            batch_size=BATCH_SIZE,
        )
    return len(fresh)


def application_import(
    *,
    plan: EvaluationPlan,
    content: bytes,
    filename: str,
    source: str = Source.BODY,
    group_name: str = "",
    actor: User,
    context: RequestContext = NO_REQUEST,
    progress: ImportProgress = _no_progress,
    before_write: Callable[[], None] | None = None,
) -> ImportResult:
    """Register the candidates of an uploaded template for ``plan``: every row or none (ImportRejected).

    ``progress`` hears about reading and checking (before any transaction); ``before_write`` runs inside
    the write transaction before anything is written (a job checks there that it was not expired).
    """
    if not user_manages_plan(user=actor, plan=plan):
        raise ApplicationError(str(MSG_NOT_MANAGER))
    if source not in (Source.BODY, Source.GROUP):
        raise ApplicationError(_("申报方式：导入只能是“机构登记”或“团体申报”。"), extra={"field": "source"})
    group_name = clean_group_name(source=source, group_name=group_name)
    first_day = require_open(plan=plan)  # refuse early, before the file is read; checked again under the lock
    digest = hashlib.sha256(content).hexdigest()
    progress(str(PHASE_READ), 0, 0)
    try:
        sheet = workbook_read(content, filename=filename, preferred_sheet=str(SHEET_TITLE))
    except SpreadsheetRejected as error:
        raise _reject_file(error.message) from None
    # 校验 counts each data row twice: once for its cells, once against the database.
    checked = max(len(sheet.rows) - 1, 0)
    phase = str(PHASE_CHECK)
    parsed = parse_sheet(
        sheet, today=timezone.localdate(), progress=lambda done, _total: progress(phase, done, 2 * checked)
    )
    if parsed.fatal:
        raise _reject(parsed.problems)
    if not parsed.rows and not parsed.problems:
        raise _reject_file(_("文件中没有考生数据：请从第 2 行起每行填写一名考生。"))
    problems = list(parsed.problems)
    known = _Known.read(plan=plan, rows=parsed.rows, first_day=first_day)
    outcome = _check_against_database(
        plan=plan,
        rows=parsed.rows,
        known=known,
        on=first_day or timezone.localdate(),
        problems=problems,
        progress=lambda done, _total: progress(
            phase, checked + done * checked // max(_total, 1), 2 * checked
        ),
    )
    progress(phase, 2 * checked, 2 * checked)
    if problems:
        raise _reject(problems)
    progress(str(PHASE_WRITE), 0, len(outcome.new))
    try:
        with transaction.atomic():
            plan = lock_plan(plan)
            first_day = require_open(plan=plan)
            if before_write is not None:
                before_write()
            now_known = _Known.read(plan=plan, rows=parsed.rows, first_day=first_day)
            if now_known.fingerprint() != known.fingerprint():
                # Someone registered, withdrew or changed something the checks relied on: check again,
                # under the plan's lock, with what the database holds now.
                problems = list(parsed.problems)
                outcome = _check_against_database(
                    plan=plan,
                    rows=parsed.rows,
                    known=now_known,
                    on=first_day or timezone.localdate(),
                    problems=problems,
                )
                if problems:
                    raise _reject(problems)
            created_people = _write(
                plan=plan, outcome=outcome, source=source, group_name=group_name, actor=actor
            )
            result = ImportResult(
                imported=len(outcome.new),
                unchanged=outcome.unchanged,
                candidates_created=created_people,
                rows=len(parsed.rows),
                sha256=digest,
            )
            audit_record(
                actor=actor,
                action="application.imported",
                target=plan,
                data={
                    "plan": plan.number,
                    "filename": filename[:200],
                    "sha256": digest,
                    "source": source,
                    "group_name": group_name,
                    "rows": result.rows,
                    "imported": result.imported,
                    "unchanged": result.unchanged,
                    "candidates_created": created_people,
                },
                context=context,
            )
    except IntegrityError:
        # Someone registered one of these people or numbers at the same moment: nothing was written.
        raise _reject_file(
            _("导入时数据被同时修改（例如同一考生正在另一处登记），未导入任何数据，请重新上传。")
        ) from None
    progress(str(PHASE_WRITE), len(outcome.new), len(outcome.new))
    return result

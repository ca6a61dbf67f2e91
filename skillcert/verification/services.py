"""The enumeration watch (security.md P5): alerts from the public query's event log, and acknowledging them.

(The read model's writes are in records.py.)
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.models import User
from skillcert.core.audit import audit_chain_lock, audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import NO_REQUEST, RequestContext
from skillcert.reference.permissions import is_municipal_admin
from skillcert.verification.events import QueryEvent, query_event_files_prune, query_events_read
from skillcert.verification.models import EnumerationAlert
from skillcert.verification.watch import Alert, Thresholds, detect

WATCH_ACTOR = "skillcert verification-watch"  # the audit log's actor for alerts the command raises
MSG_ALREADY_ACKNOWLEDGED = _("该告警已确认过。")
MSG_NOT_MUNICIPAL_ADMIN = _("只有市级人社部门的管理员可以确认证书查询异常告警。")


@dataclass(frozen=True, slots=True)
class WatchReport:
    window_start: datetime
    window_end: datetime
    events: int  # query events read in the window
    raised: list[EnumerationAlert]  # new alerts
    updated: list[EnumerationAlert]  # open alerts of the same incident, extended
    deleted_files: list[Path]  # event files past the retention


def watch_thresholds() -> Thresholds:
    """The alert thresholds of the settings (block "Enumeration watch")."""
    return Thresholds(
        numbers_per_client=settings.SKILLCERT_VERIFICATION_WATCH_NUMBERS_PER_CLIENT,
        numbers_per_network=settings.SKILLCERT_VERIFICATION_WATCH_NUMBERS_PER_NETWORK,
        miss_percent=settings.SKILLCERT_VERIFICATION_WATCH_MISS_PERCENT,
        miss_minimum=settings.SKILLCERT_VERIFICATION_WATCH_MISS_MINIMUM,
        sequential=settings.SKILLCERT_VERIFICATION_WATCH_SEQUENTIAL,
        networks_per_number=settings.SKILLCERT_VERIFICATION_WATCH_NETWORKS_PER_NUMBER,
    )


def enumeration_watch_run(
    *,
    now: datetime | None = None,
    directory: Path | None = None,
    window: int | None = None,
    keep_days: int | None = None,
    thresholds: Thresholds | None = None,
) -> WatchReport:
    """Run the detectors over the last ``window`` seconds of query events, store what they find, and
    delete event files older than ``keep_days``. Unset arguments come from the settings.

    Running again never duplicates: a sighting that overlaps an open alert of the same kind and subject
    extends that alert; after an acknowledgement only the events since the acknowledged alert count.
    """
    now = now or timezone.now()
    directory = Path(directory or settings.SKILLCERT_VERIFICATION_EVENTS_DIR)
    window = window if window is not None else settings.SKILLCERT_VERIFICATION_WATCH_WINDOW
    keep_days = keep_days if keep_days is not None else settings.SKILLCERT_VERIFICATION_EVENTS_DAYS
    thresholds = thresholds or watch_thresholds()
    end = now.timestamp()
    start = end - window
    events = list(query_events_read(directory=directory, start=start, end=end))
    alerts = detect(events, thresholds=thresholds)
    raised, updated = (
        _alerts_store(alerts=alerts, events=events, thresholds=thresholds, now=now) if alerts else ([], [])
    )
    deleted = query_event_files_prune(directory=directory, keep_days=keep_days, now=end)
    return WatchReport(
        window_start=_moment(start),
        window_end=now,
        events=len(events),
        raised=raised,
        updated=updated,
        deleted_files=deleted,
    )


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _audit_data(alert: EnumerationAlert) -> dict:
    return {
        "kind": alert.kind,
        "subject": alert.subject,
        "count": alert.count,
        "window_start": alert.window_start.isoformat(),
        "window_end": alert.window_end.isoformat(),
    }


@transaction.atomic
def _alerts_store(
    *, alerts: list[Alert], events: list[QueryEvent], thresholds: Thresholds, now: datetime
) -> tuple[list[EnumerationAlert], list[EnumerationAlert]]:
    """Store new alerts and extend open ones; one audit event for each alert created or changed."""
    audit_chain_lock()  # audit first, then the alert rows: the lock order of every auditing service
    raised: list[EnumerationAlert] = []
    updated: list[EnumerationAlert] = []
    since_acknowledged: dict[int, dict[tuple[str, str], Alert]] = {}  # detections after a given second
    for alert in alerts:
        latest = (
            EnumerationAlert.objects.select_for_update()
            .filter(kind=alert.kind, subject=alert.subject)
            .order_by("-window_end", "-pk")
            .first()
        )
        found: Alert | None = alert
        if latest is not None and latest.window_end.timestamp() >= alert.window_start:  # same incident
            if latest.acknowledged_at is None:
                if _alert_extend(stored=latest, seen=alert):
                    updated.append(latest)
                continue
            # Acknowledged: what the administrator saw is settled; only later events may raise it again.
            cutoff = int(latest.window_end.timestamp())
            if cutoff not in since_acknowledged:
                later = [event for event in events if event.at > cutoff]
                since_acknowledged[cutoff] = {
                    (seen.kind, seen.subject): seen for seen in detect(later, thresholds=thresholds)
                }
            found = since_acknowledged[cutoff].get((alert.kind, alert.subject))
        if found is not None:
            raised.append(_alert_create(alert=found, now=now))
    return raised, updated


def _alert_create(*, alert: Alert, now: datetime) -> EnumerationAlert:
    stored = EnumerationAlert(
        kind=alert.kind,
        subject=alert.subject,
        count=alert.count,
        window_start=_moment(alert.window_start),
        window_end=_moment(alert.window_end),
        description=alert.description,
        created_at=now,
    )
    stored.full_clean()
    stored.save(force_insert=True)
    audit_record(
        actor=None,
        actor_label=WATCH_ACTOR,
        action="enumeration_alert.raised",
        target=stored,
        data=_audit_data(stored),
    )
    return stored


def _alert_extend(*, stored: EnumerationAlert, seen: Alert) -> bool:
    """Widen an open alert to a later sighting of its incident; False when it adds nothing."""
    window_end = max(stored.window_end, _moment(seen.window_end))
    if window_end == stored.window_end and seen.count <= stored.count:
        return False
    previous_count = stored.count
    stored.window_end = window_end
    if seen.count > stored.count:
        stored.count = seen.count
        stored.description = seen.description
    stored.full_clean()
    stored.save(update_fields=["window_end", "count", "description"])
    audit_record(
        actor=None,
        actor_label=WATCH_ACTOR,
        action="enumeration_alert.updated",
        target=stored,
        data={**_audit_data(stored), "previous_count": previous_count},
    )
    return True


@transaction.atomic
def enumeration_alert_acknowledge(
    *, alert: EnumerationAlert, actor: User, context: RequestContext = NO_REQUEST
) -> EnumerationAlert:
    """Mark an alert as seen by the municipal authority's administrator."""
    if not is_municipal_admin(actor):
        raise ApplicationError(str(MSG_NOT_MUNICIPAL_ADMIN))
    audit_chain_lock()
    alert = EnumerationAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        raise ApplicationError(str(MSG_ALREADY_ACKNOWLEDGED))
    alert.mark_acknowledged(by=actor, at=timezone.now())
    alert.full_clean()
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit_record(
        actor=actor,
        action="enumeration_alert.acknowledged",
        target=alert,
        data=_audit_data(alert),
        context=context,
    )
    return alert

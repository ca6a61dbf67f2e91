"""Failed sign-in steps: stored as ``LoginFailure`` rows, counted three ways (security.md A2, decision 0012).

- **Per client** (``MAX_FAILURES_PER_IP`` inside ``FAILURE_WINDOW``, whatever the usernames): the client is
  refused until enough failures have left the window. It stops one client spraying passwords.
- **Per (account, client) pair** (``MAX_FAILURES_PER_PAIR`` inside ``FAILURE_WINDOW``): the pair is locked
  for ``PAIR_LOCKOUT`` seconds; the lock is the ``locked_until`` of the failure that reached the limit, and
  the pair counts afresh after it. Other clients may still sign in, so nobody can lock a person out.
- **Per account, across clients** (``CHALLENGE_AFTER_FAILURES`` inside ``CHALLENGE_WINDOW``): every further
  password attempt needs a solved proof of work (login_challenge.py) and the account is listed for its
  administrators. No lock.

An account is its user, or, for a username that does not exist, that username: an unknown username is
counted, locked and challenged exactly like a real one, so no answer tells the two apart. A completed sign-in
restarts its own pair's count and the account's; an administrator's clearing restarts every count and ends
every lock of the account. A client is ``client_of`` its address (an IPv6 address counts as its /64).

Rows are read for at most the longest of the windows and the lockout, and purged as failures are stored, a
bounded batch at a time, so the table holds about one challenge window of failures without any scheduled
job. The audit log, not this table, is the lasting record of failed sign-ins.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.accounts.models import LoginFailure, User
from skillcert.accounts.selectors import user_may_administer
from skillcert.core.audit import audit_record
from skillcert.core.errors import ApplicationError
from skillcert.core.request_context import RequestContext

# Stale failure rows deleted per stored failure: enough to drain any backlog, small enough to stay cheap.
FAILURE_PURGE_BATCH = 500


@dataclass(frozen=True, slots=True)
class Account:
    """Whose failures are counted: ``user``, or ``username`` when no user has it."""

    username: str
    user: User | None


def _rows(account: Account) -> QuerySet[LoginFailure]:
    if account.user is not None:
        return LoginFailure.objects.filter(user=account.user)
    return LoginFailure.objects.filter(username=account.username, user__isnull=True)


def _failure_window_start(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.SKILLCERT_LOGIN_FAILURE_WINDOW)


def _challenge_window_start(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.SKILLCERT_LOGIN_CHALLENGE_WINDOW)


def failure_retention() -> timedelta:
    """How long a failure row can still be read: by a window, or as the end of a pair's lock."""
    return timedelta(
        seconds=max(
            settings.SKILLCERT_LOGIN_FAILURE_WINDOW,
            settings.SKILLCERT_LOGIN_PAIR_LOCKOUT,
            settings.SKILLCERT_LOGIN_CHALLENGE_WINDOW,
        )
    )


def _failures_purge(now: datetime) -> int:
    """Delete up to ``FAILURE_PURGE_BATCH`` failure rows that nothing reads any more; returns how many.

    A row older than the retention is outside every window; the locked_until test keeps a lock that runs
    longer (the lockout setting raised since). Rows another attempt is purging are skipped (SKIP LOCKED on
    PostgreSQL), so concurrent purges never wait on, or deadlock with, each other.
    """
    stale = (
        LoginFailure.objects.filter(occurred_at__lt=now - failure_retention())
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .order_by("occurred_at")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:FAILURE_PURGE_BATCH]
    )
    pks = list(stale)
    if not pks:
        return 0
    return LoginFailure.objects.filter(pk__in=pks).delete()[0]


def _failure_store(
    *, account: Account, client: str, step: str, now: datetime, counts: bool = True
) -> LoginFailure:
    """Store one failed or refused step, first purging rows that nothing reads any more."""
    _failures_purge(now)
    return LoginFailure.objects.create(
        username=account.username,
        user=account.user,
        ip_address=client,
        step=step,
        occurred_at=now,
        counts_for_pair=counts,
        counts_for_account=counts,
    )


def client_refused_until(*, client: str, now: datetime) -> datetime | None:
    """When this client may try again after failing on too many usernames, or None if it may try now."""
    if not client:
        return None
    limit = settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_IP
    recent = LoginFailure.objects.filter(ip_address=client, occurred_at__gt=_failure_window_start(now))
    count = recent.count()
    if count < limit:
        return None
    # The client is free again once only limit - 1 failures remain inside the window.
    pivot = recent.order_by("occurred_at").values_list("occurred_at", flat=True)[count - limit]
    return pivot + timedelta(seconds=settings.SKILLCERT_LOGIN_FAILURE_WINDOW)


def pair_locked_until(*, account: Account, client: str, now: datetime) -> datetime | None:
    """The end of this (account, client) pair's lock, or None when the pair may try."""
    return (
        _rows(account)
        .filter(ip_address=client, locked_until__gt=now)
        .aggregate(until=Max("locked_until"))["until"]
    )


def _account_failures(account: Account, now: datetime) -> QuerySet[LoginFailure]:
    return _rows(account).filter(counts_for_account=True, occurred_at__gt=_challenge_window_start(now))


def account_challenge_required(*, account: Account, now: datetime) -> bool:
    """Whether a password attempt on this account needs a solved proof of work first."""
    limit = settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES
    return _account_failures(account, now).count() >= limit


def failure_refused_store(*, account: Account, client: str, step: str, now: datetime) -> None:
    """Store an attempt refused by its pair's lock: it counts for the client's throttle only."""
    _failure_store(account=account, client=client, step=step, now=now, counts=False)


def failure_record(
    *, account: Account, client: str, step: str, reason: str, context: RequestContext, now: datetime
) -> datetime | None:
    """Store one failed step and audit it; lock the pair when it reaches its limit, and note the account
    needing a challenge when it reaches that limit. Returns the end of the pair's new lock, if any.

    Call it inside the step's transaction, holding the user's row lock, so that the counts are exact.
    """
    failure = _failure_store(account=account, client=client, step=step, now=now)
    action = "auth.login_failed" if step == LoginFailure.Step.PASSWORD else "auth.second_factor_failed"
    audit_record(
        actor=None,
        actor_label=account.username,
        action=action,
        target=account.user,
        data={"reason": reason},
        context=context,
    )
    if account.user is not None:
        # Told to the user at their next sign-in, whatever the counts below do meanwhile.
        User.objects.filter(pk=account.user.pk).update(
            failed_logins_unreported=F("failed_logins_unreported") + 1, failed_login_last_at=now
        )

    account_failures = _account_failures(account, now).aggregate(
        failures=Count("pk"), clients=Count("ip_address", distinct=True)
    )
    if account_failures["failures"] == settings.SKILLCERT_LOGIN_CHALLENGE_AFTER_FAILURES:
        # From now on every password attempt needs a proof of work; the account's administrators see it on
        # their page of accounts with sign-in alerts, the user at their next sign-in.
        audit_record(
            actor=None,
            actor_label=account.username,
            action="auth.challenge_required",
            target=account.user,
            data=account_failures,
            context=context,
        )

    pair = _rows(account).filter(
        ip_address=client, counts_for_pair=True, occurred_at__gt=_failure_window_start(now)
    )
    pair_failures = pair.count()
    if pair_failures < settings.SKILLCERT_LOGIN_MAX_FAILURES_PER_PAIR:
        return None
    until = now + timedelta(seconds=settings.SKILLCERT_LOGIN_PAIR_LOCKOUT)
    failure.locked_until = until
    failure.save(update_fields=["locked_until"])
    # The lock has been served by these failures; after it ends the pair starts counting afresh.
    pair.update(counts_for_pair=False)
    audit_record(
        actor=None,
        actor_label=account.username,
        action="auth.pair_locked",
        target=account.user,
        data={"client": client, "failures": pair_failures, "locked_until": until.isoformat()},
        context=context,
    )
    return until


def failures_reset_on_sign_in(*, user: User, client: str) -> None:
    """A completed sign-in: this pair's count and the account's count start again (other pairs' locks and
    counts stay, for those may be someone else's)."""
    rows = LoginFailure.objects.filter(user=user)
    rows.filter(ip_address=client, counts_for_pair=True).update(counts_for_pair=False)
    rows.filter(counts_for_account=True).update(counts_for_account=False)


@transaction.atomic
def user_login_failures_clear(*, user: User, actor: User, context: RequestContext) -> User:
    """End every pair lock of the account and restart its counts (so no challenge either); only an
    administrator in scope may."""
    if not user_may_administer(actor=actor, user=user):
        raise ApplicationError(_("您无权清除该用户的登录失败记录。"))
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    account = Account(username=user.username, user=user)
    rows = _rows(account)
    before = {
        "failures": _account_failures(account, now).count(),
        "locked_clients": rows.filter(locked_until__gt=now).values("ip_address").distinct().count(),
        "challenge_required": account_challenge_required(account=account, now=now),
    }
    rows.filter(Q(counts_for_pair=True) | Q(counts_for_account=True) | Q(locked_until__gt=now)).update(
        counts_for_pair=False, counts_for_account=False, locked_until=None
    )
    audit_record(
        actor=actor,
        action="auth.failures_cleared",
        target=user,
        data={"username": user.username, **before},
        context=context,
    )
    return user

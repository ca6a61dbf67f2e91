"""Enumeration alerts, Django side: the watch run that stores them, the command, the municipal
administrator's alert page with its acknowledgement, and the dashboard step that links to it."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import make_user
from skillcert.accounts.roles import Role
from skillcert.core.errors import ApplicationError
from skillcert.core.models import AuditEvent
from skillcert.verification.clients import KeyedHash
from skillcert.verification.events import SHANGHAI, QueryEventLog, day_file
from skillcert.verification.models import EnumerationAlert
from skillcert.verification.services import (
    MSG_ALREADY_ACKNOWLEDGED,
    WATCH_ACTOR,
    enumeration_alert_acknowledge,
    enumeration_watch_run,
)
from skillcert.verification.views_alerts import ALERTS_PER_PAGE
from skillcert.verification.watch import AlertKind

T = datetime(2026, 11, 28, 10, tzinfo=SHANGHAI).timestamp()
STEM = "S000031000101253"
LIST_URL = "/verification/alerts/"


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def scrape(directory, *, start: float, serials: range) -> None:
    """A slow scrape: one query a minute, each from another network, walking the serials (all misses)."""
    keyed = KeyedHash(b"k" * 32)
    log = QueryEventLog(directory=directory, keyed_hash=keyed)
    for index, serial in enumerate(serials):
        log.record(
            now=start + 60 * index,
            client=keyed.client(f"198.51.{serial % 250}.9"),
            query="number_name",
            number=f"{STEM}{serial:06d}",
            hit=False,
        )
    log.close()


def run(directory, now: float) -> object:
    return enumeration_watch_run(now=at(now), directory=directory, window=3600, keep_days=7)


def make_alert(index: int = 0, **fields) -> EnumerationAlert:
    moment = at(T + index)
    values = {
        "kind": EnumerationAlert.Kind.CLIENT_NUMBERS,
        "subject": f"{index:012x}",
        "count": 31,
        "window_start": moment,
        "window_end": moment,
        "description": f"同一客户端地址查询了 31 个不同的证书编号（第 {index} 条）。",
        "created_at": moment,
        **fields,
    }
    return EnumerationAlert.objects.create(**values)


@pytest.fixture
def web(settings) -> Client:
    # force_login signs in without a second factor; these tests are about the alerts, not the 2FA gate.
    settings.SKILLCERT_REQUIRE_2FA = False
    return Client()


@pytest.fixture
def pudong_admin(world):
    return make_user("pudong_admin", Role.AUTHORITY_ADMIN, region=world.pudong)


# ---- the watch run ----------------------------------------------------------------------------------------


def test_the_model_knows_every_kind_the_detectors_raise():
    assert set(EnumerationAlert.Kind.values) == {kind.value for kind in AlertKind}


def test_given_a_scrape_in_the_log_when_the_watch_runs_then_an_alert_is_stored_and_audited(db, tmp_path):
    # given twelve consecutive serials queried over twelve minutes
    scrape(tmp_path, start=T, serials=range(101, 113))

    # when the watch runs a minute later
    report = run(tmp_path, T + 12 * 60)

    # then one sequential alert spanning the scrape, written by the watch and audited
    assert report.events == 12
    (alert,) = report.raised
    assert report.updated == []
    assert (alert.kind, alert.count) == (EnumerationAlert.Kind.SEQUENTIAL, 12)
    assert (alert.window_start, alert.window_end) == (at(T), at(T + 11 * 60))
    assert alert.created_at == at(T + 12 * 60)
    assert "（101–112）" in alert.description and STEM not in alert.subject
    assert alert.acknowledged_at is None
    event = AuditEvent.objects.get(action="enumeration_alert.raised")
    assert (event.actor_id, event.actor_username) == (None, WATCH_ACTOR)
    assert (event.target_type, event.target_id) == ("verification.enumerationalert", str(alert.pk))
    assert event.data["kind"] == "sequential" and event.data["count"] == 12


def test_running_again_over_the_same_events_stores_nothing_new(db, tmp_path):
    # given a run that raised an alert
    scrape(tmp_path, start=T, serials=range(101, 113))
    run(tmp_path, T + 12 * 60)

    # when the watch runs again, at the same moment and ten minutes later
    again = run(tmp_path, T + 12 * 60)
    later = run(tmp_path, T + 22 * 60)

    # then no new alert and no new audit event
    assert (again.raised, again.updated, later.raised, later.updated) == ([], [], [], [])
    assert EnumerationAlert.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="enumeration_alert.").count() == 1


def test_a_continuing_scrape_extends_its_open_alert(db, tmp_path):
    # given an open alert for serials 101 to 112
    scrape(tmp_path, start=T, serials=range(101, 113))
    run(tmp_path, T + 12 * 60)

    # when the scrape goes on to serial 120 and the watch runs again
    scrape(tmp_path, start=T + 12 * 60, serials=range(113, 121))
    report = run(tmp_path, T + 21 * 60)

    # then the same alert now counts 20 serials up to the last query, and the change is audited
    assert report.raised == []
    (alert,) = report.updated
    assert EnumerationAlert.objects.get() == alert
    assert (alert.count, alert.window_start, alert.window_end) == (20, at(T), at(T + 19 * 60))
    assert "（101–120）" in alert.description
    updated = AuditEvent.objects.get(action="enumeration_alert.updated")
    assert (updated.data["count"], updated.data["previous_count"]) == (20, 12)


def test_after_acknowledgement_only_new_activity_raises_the_alert_again(db, world, tmp_path):
    # given an alert the municipal administrator acknowledged
    scrape(tmp_path, start=T, serials=range(101, 113))
    (alert,) = run(tmp_path, T + 12 * 60).raised
    enumeration_alert_acknowledge(alert=alert, actor=world.municipal_admin)

    # when the watch looks at the same events again
    same = run(tmp_path, T + 15 * 60)

    # then nothing is raised
    assert (same.raised, same.updated) == ([], [])

    # when a new run of ten serials follows, and the watch runs
    scrape(tmp_path, start=T + 20 * 60, serials=range(501, 511))
    again = run(tmp_path, T + 30 * 60)

    # then a new alert covers the new activity only
    (new,) = again.raised
    assert (new.count, new.window_start, new.window_end) == (10, at(T + 20 * 60), at(T + 29 * 60))
    assert new.acknowledged_at is None
    assert EnumerationAlert.objects.count() == 2


def test_the_watch_deletes_event_files_past_the_retention(db, tmp_path):
    # given event files of the last ten days
    for day in range(19, 29):
        day_file(tmp_path, datetime(2026, 11, day, tzinfo=SHANGHAI).date()).write_text("")

    # when
    report = run(tmp_path, T)

    # then the 19th and 20th are gone, the 21st to the 28th kept
    assert [path.name for path in report.deleted_files] == ["queries-20261119.log", "queries-20261120.log"]
    assert len(list(tmp_path.iterdir())) == 8


def test_the_command_prints_a_chinese_summary(db, tmp_path, settings):
    # given a scrape in the configured directory, within the last window
    settings.SKILLCERT_VERIFICATION_EVENTS_DIR = tmp_path
    now = datetime.now(UTC).timestamp()
    scrape(tmp_path, start=now - 15 * 60, serials=range(101, 113))
    out = StringIO()

    # when
    call_command("verification_watch", stdout=out)

    # then
    lines = out.getvalue().splitlines()
    assert "的 12 条查询记录：新告警 1 条，更新告警 0 条，删除过期记录文件 0 个。" in lines[0]
    assert lines[1].startswith("新告警 [连续证书序列号被查询] 同一编号前缀下连续的 12 个证书序列号")


def test_only_the_municipal_administrator_may_acknowledge(world, pudong_admin):
    # given
    alert = make_alert()

    # when / then
    with pytest.raises(ApplicationError):
        enumeration_alert_acknowledge(alert=alert, actor=pudong_admin)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# ---- the alert page -------------------------------------------------------------------------------------


def test_the_municipal_administrator_sees_alerts_newest_first(web, world):
    # given an older acknowledged alert and a newer open one
    older = make_alert(0)
    enumeration_alert_acknowledge(alert=older, actor=world.municipal_admin)
    make_alert(
        60, kind=EnumerationAlert.Kind.MISS_RATIO, subject="", description="200 次查询中有 150 次未查到证书"
    )
    web.force_login(world.municipal_admin)

    # when
    response = web.get(LIST_URL)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("查询未果比例过高") < html.index("单一地址查询大量证书编号")
    assert html.count('<button type="submit" class="btn btn-sm btn-outline-primary">确认</button>') == 1
    assert "已确认" in html and "muni_admin 于" in html


def test_without_alerts_the_page_says_so(web, world):
    web.force_login(world.municipal_admin)

    response = web.get(LIST_URL)

    assert response.status_code == 200
    assert "还没有证书查询异常告警" in response.content.decode()


def test_the_alert_page_is_paginated(web, world):
    # given one page and one alert more
    for index in range(ALERTS_PER_PAGE + 1):
        make_alert(index)
    web.force_login(world.municipal_admin)

    # when
    first = web.get(LIST_URL).content.decode()
    second = web.get(LIST_URL, {"page": 2}).content.decode()

    # then the newest 30 first, the oldest alone on page 2
    assert first.count("data-alert=") == ALERTS_PER_PAGE and "第 1 / 2 页" in first
    assert second.count("data-alert=") == 1 and "（第 0 条）" in second


def test_a_district_administrator_gets_403(web, world, pudong_admin):
    # given
    alert = make_alert()
    web.force_login(pudong_admin)

    # when
    listing = web.get(LIST_URL)
    acknowledging = web.post(reverse("verification:alert_acknowledge", args=[alert.pk]))

    # then
    assert (listing.status_code, acknowledging.status_code) == (403, 403)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_acknowledging_marks_the_alert_and_audits_who_did(web, world):
    # given
    alert = make_alert()
    web.force_login(world.municipal_admin)

    # when
    response = web.post(reverse("verification:alert_acknowledge", args=[alert.pk]), {"page": "1"})

    # then back to the list, the alert acknowledged by the administrator, and one audit event
    assert response.status_code == 302 and response["Location"] == f"{LIST_URL}?page=1"
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.municipal_admin and alert.acknowledged_at is not None
    event = AuditEvent.objects.get(action="enumeration_alert.acknowledged")
    assert (event.actor_id, event.target_id) == (world.municipal_admin.pk, str(alert.pk))
    assert "已确认告警：单一地址查询大量证书编号。" in web.get(LIST_URL).content.decode()


def test_acknowledging_twice_says_so_and_audits_once(web, world):
    # given an alert acknowledged already
    alert = make_alert()
    web.force_login(world.municipal_admin)
    url = reverse("verification:alert_acknowledge", args=[alert.pk])
    web.post(url)

    # when
    response = web.post(url, follow=True)

    # then
    assert str(MSG_ALREADY_ACKNOWLEDGED) in response.content.decode()
    assert AuditEvent.objects.filter(action="enumeration_alert.acknowledged").count() == 1


def test_acknowledging_is_post_only_and_unknown_alerts_are_404(web, world):
    web.force_login(world.municipal_admin)
    alert = make_alert()

    assert web.get(reverse("verification:alert_acknowledge", args=[alert.pk])).status_code == 405
    assert web.post(reverse("verification:alert_acknowledge", args=[alert.pk + 1])).status_code == 404


# ---- the dashboard --------------------------------------------------------------------------------------


def test_the_municipal_dashboard_links_open_alerts_until_they_are_acknowledged(web, world):
    # given two open alerts
    first, _second = make_alert(0), make_alert(1)
    web.force_login(world.municipal_admin)

    # when / then the authority administrator's panel has an urgent step with the count and the link
    html = web.get("/dashboard/").content.decode()
    assert f'<a class="sc-step-title" href="{LIST_URL}">处理 2 条证书查询异常告警</a>' in html

    # when one is acknowledged / then the count follows
    enumeration_alert_acknowledge(alert=first, actor=world.municipal_admin)
    assert "处理 1 条证书查询异常告警" in web.get("/dashboard/").content.decode()


def test_a_district_dashboard_shows_no_alerts(web, world, pudong_admin):
    # given an open alert
    make_alert()
    web.force_login(pudong_admin)

    # when
    html = web.get("/dashboard/").content.decode()

    # then
    assert 'data-panel="authority_admin"' in html
    assert "证书查询异常告警" not in html

"""The public query's event log (events.py): what a line holds, when it is written, and reading it back."""

import json
import os
import stat
import subprocess
import sys
from datetime import datetime

import pytest

from skillcert.verification import events
from skillcert.verification.clients import KeyedHash
from skillcert.verification.events import (
    FLUSH_BYTES,
    SHANGHAI,
    QueryEventLog,
    day_file,
    query_event_files_prune,
    query_events_read,
)

SECRET = b"s" * 32
KEYED = KeyedHash(SECRET)
# 2026-11-28 10:00:00 in Shanghai: mid-day, so that no test straddles a day unless it means to.
T = datetime(2026, 11, 28, 10, tzinfo=SHANGHAI).timestamp()
NUMBER = "S000031000101253000123"  # 22 characters: stem S000031000101253, serial 000123


def new_log(tmp_path, **kwargs) -> QueryEventLog:
    return QueryEventLog(directory=tmp_path / "events", keyed_hash=KEYED, **kwargs)


def read_all(tmp_path, start=T - 86400, end=T + 86400):
    return list(query_events_read(directory=tmp_path / "events", start=start, end=end))


def test_given_a_query_when_flushed_then_the_line_holds_no_address_or_number_in_clear(tmp_path):
    # given
    log = new_log(tmp_path)

    # when
    log.record(now=T + 0.25, client=KEYED.client("203.0.113.7"), query="number_name", number=NUMBER, hit=True)
    log.flush()

    # then one line in the day's file, of seven fields, none of them the address, its network or the number
    text = (tmp_path / "events" / "queries-20261128.log").read_text()
    assert text.endswith("\n") and text.count("\n") == 1
    fields = text.rstrip("\n").split("\t")
    assert len(fields) == 7
    assert fields[0] == str(int(T))
    assert fields[3:5] == ["N", "1"]
    assert fields[6] == "000123"
    assert all(len(field) == 12 and int(field, 16) >= 0 for field in (fields[1], fields[2], fields[5]))
    for clear in ("203.0.113", "S000031000101253", NUMBER, "000031000101253"):
        assert clear not in text


def test_given_several_queries_when_read_back_then_each_event_is_decoded(tmp_path):
    # given queries of every kind, from two addresses of one /24 and two of one IPv6 /64
    log = new_log(tmp_path)
    log.record(now=T, client=KEYED.client("203.0.113.7"), query="number_name", number=NUMBER, hit=True)
    log.record(
        now=T + 1,
        client=KEYED.client("203.0.113.8"),
        query="number_id",
        number="S000031000101253000124",
        hit=False,
    )
    log.record(now=T + 2, client=KEYED.client("2001:db8::1"), query="name_id", number="", hit=False)
    log.record(now=T + 3, client=KEYED.client("2001:db8::2"), query="token", number=NUMBER, hit=True)
    log.close()

    # when
    first, second, third, fourth = read_all(tmp_path)

    # then
    assert [e.query for e in (first, second, third, fourth)] == [
        "number_name",
        "number_id",
        "name_id",
        "token",
    ]
    assert [e.hit for e in (first, second, third, fourth)] == [True, False, False, True]
    assert [e.at for e in (first, second, third, fourth)] == [int(T), int(T) + 1, int(T) + 2, int(T) + 3]
    assert first.client != second.client and first.network == second.network  # same /24
    assert third.client == fourth.client and third.network == fourth.network  # one /64: one IPv6 client
    assert first.network != third.network
    assert (first.serial, second.serial) == (123, 124) and first.number == second.number  # same stem
    assert (third.number, third.serial, third.number_key) == ("", None, "")
    assert fourth.number_key == first.number_key == f"{first.number}:123"


def test_hashes_depend_on_the_secret_and_on_the_field(tmp_path):
    # given the same address logged under two secrets
    for name, secret in (("one", b"a" * 32), ("other", b"b" * 32)):
        keyed = KeyedHash(secret)
        log = QueryEventLog(directory=tmp_path / name, keyed_hash=keyed)
        address = "198.51.100.1"
        log.record(now=T, client=keyed.client(address), query="number_name", number=address, hit=False)
        log.close()

    # when
    (a,) = query_events_read(directory=tmp_path / "one", start=T, end=T)
    (b,) = query_events_read(directory=tmp_path / "other", start=T, end=T)

    # then another secret gives other hashes, and one text hashes differently as a client and as a number
    assert a.client != b.client and a.network != b.network and a.number != b.number
    assert a.client != a.number


def test_the_client_is_logged_under_the_hashes_the_rate_limits_count_it_by(tmp_path):
    # given
    log = new_log(tmp_path)
    client = KEYED.client("203.0.113.7")

    # when
    log.record(now=T, client=client, query="token", number="", hit=False)
    log.close()

    # then the line holds the first 48 bits of each: one hashing a request, for both uses
    (event,) = read_all(tmp_path)
    address, network = client
    assert event.client == f"{address:016x}"[:12]
    assert event.network == f"{network:016x}"[:12]
    assert KEYED.client("203.0.113.99")[1] == network  # the same /24


@pytest.mark.parametrize(
    ("number", "serial", "same_as"),
    [
        ("S000031000101253000123", 123, None),
        ("Y123431000101255999999", 999999, None),
        ("1231000101200345", 345, None),  # legacy 16 digits: serial 00345
        ("1000101200345", 345, "0001000101200345"),  # Shanghai's 13 digits, as its padded 16-digit form
        ("0000310001012530001X", None, None),  # no known shape: hashed whole, no serial
        ("1000031000101253000123", None, None),  # 22 characters must start with a letter
        ("S00003100010125300012A", None, None),  # the serial must be digits
        ("S张三李四00031000101000123", 123, None),  # any stem will do: it is only hashed
    ],
)
def test_numbers_are_split_into_a_hashed_stem_and_a_serial(tmp_path, number, serial, same_as):
    # given
    log = new_log(tmp_path)
    log.record(now=T, client=KEYED.client("192.0.2.1"), query="number_name", number=number, hit=False)
    if same_as:
        log.record(now=T, client=KEYED.client("192.0.2.1"), query="number_name", number=same_as, hit=False)
    log.close()

    # when
    read = read_all(tmp_path)

    # then
    assert read[0].serial == serial
    assert len(read[0].number) == 12
    if same_as:
        assert read[1].number_key == read[0].number_key


def test_given_a_young_small_buffer_then_nothing_is_written_until_it_is_flush_seconds_old(tmp_path):
    # given
    log = new_log(tmp_path, flush_seconds=1.0)
    path = tmp_path / "events" / "queries-20261128.log"

    # when two queries come within the second
    log.record(now=T, client=KEYED.client("192.0.2.1"), query="token", number="", hit=False)
    log.record(now=T + 0.9, client=KEYED.client("192.0.2.1"), query="token", number="", hit=False)

    # then nothing is written yet; the third, a second after the first, writes all three
    assert not path.exists()
    log.record(now=T + 1.0, client=KEYED.client("192.0.2.1"), query="token", number="", hit=False)
    assert path.read_text().count("\n") == 3


def test_given_64_kib_buffered_then_it_is_written_in_one_write_of_whole_lines(tmp_path, monkeypatch):
    # given a log that would wait an hour, and every os.write recorded
    writes: list[bytes] = []
    real_write = os.write

    def recording_write(fd, data):
        writes.append(bytes(data))
        return real_write(fd, data)

    monkeypatch.setattr(events.os, "write", recording_write)
    log = new_log(tmp_path, flush_seconds=3600)

    # when 2,000 queries (about 120 KiB) arrive in the same second
    for serial in range(1, 2001):
        number = f"S000031000101253{serial:06d}"
        log.record(now=T, client=KEYED.client("192.0.2.1"), query="number_name", number=number, hit=False)

    # then the buffer was written once it reached 64 KiB, in one write that ends a line
    assert len(writes) == 1
    assert FLUSH_BYTES <= len(writes[0]) < FLUSH_BYTES + 100
    assert writes[0].endswith(b"\n")

    # when closed, the rest is one more write, and all 2,000 lines read back in order
    log.close()
    assert len(writes) == 2 and writes[1].endswith(b"\n")
    assert [event.serial for event in read_all(tmp_path)] == list(range(1, 2001))


def test_files_are_per_shanghai_day_and_a_new_day_writes_the_old_days_lines(tmp_path):
    # given a log and the last second of 27 November in Shanghai (16:00 UTC)
    log = new_log(tmp_path, flush_seconds=60)
    midnight = datetime(2026, 11, 28, tzinfo=SHANGHAI).timestamp()

    # when one query comes just before midnight and one just after
    log.record(now=midnight - 0.5, client=KEYED.client("192.0.2.1"), query="token", number="", hit=False)
    log.record(now=midnight + 0.5, client=KEYED.client("192.0.2.1"), query="token", number="", hit=True)

    # then the first is in the 27th's file already; the second waits for its own day's flush
    directory = tmp_path / "events"
    assert (directory / "queries-20261127.log").read_text().count("\n") == 1
    assert not (directory / "queries-20261128.log").exists()
    log.close()
    assert (directory / "queries-20261128.log").read_text().count("\n") == 1
    # and a window across midnight reads both days
    assert [e.hit for e in read_all(tmp_path, start=midnight - 10, end=midnight + 10)] == [False, True]


def test_the_directory_is_private_and_files_are_owner_only(tmp_path):
    # given
    log = new_log(tmp_path)

    # when
    log.record(now=T, client=KEYED.client("192.0.2.1"), query="token", number="", hit=False)
    log.close()

    # then
    directory = tmp_path / "events"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "queries-20261128.log").stat().st_mode) == 0o600


def test_two_workers_appending_to_one_file_never_mix_their_lines(tmp_path):
    # given two logs over the same directory, as two worker processes would have
    first, second = new_log(tmp_path), new_log(tmp_path)

    # when they record and flush in turns
    for index in range(300):
        log = first if index % 2 else second
        number = f"S000031000101253{index + 1:06d}"
        log.record(
            now=T + index / 1000,
            client=KEYED.client(f"192.0.2.{index % 50}"),
            query="number_id",
            number=number,
            hit=True,
        )
        if index % 7 == 0:
            log.flush()
    first.close()
    second.close()

    # then every line reads back
    assert sorted(event.serial for event in read_all(tmp_path)) == list(range(1, 301))


def test_the_reader_skips_malformed_lines_and_a_torn_last_line(tmp_path):
    # given a file with good lines, junk, and a last line cut off mid-write
    log = new_log(tmp_path)
    log.record(now=T, client=KEYED.client("192.0.2.1"), query="number_name", number=NUMBER, hit=True)
    log.record(now=T + 1, client=KEYED.client("192.0.2.2"), query="token", number="", hit=False)
    log.close()
    path = tmp_path / "events" / "queries-20261128.log"
    good = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(
        good[0]
        + b"not a line at all\n"
        + b"\n"
        + good[0].replace(b"\tN\t", b"\tX\t")  # unknown kind
        + good[0].replace(b"\n", b"\textra\n")  # a field too many
        + "中文\t\n".encode()
        + good[1]
        + good[0][:30]  # torn: no newline yet
    )

    # when
    read = read_all(tmp_path)

    # then only the two whole, well-formed lines come back
    assert [(event.at, event.query) for event in read] == [(int(T), "number_name"), (int(T) + 1, "token")]


def test_the_reader_returns_only_the_window_and_tolerates_missing_days(tmp_path):
    # given events over three minutes
    log = new_log(tmp_path)
    for minute in range(3):
        log.record(now=T + 60 * minute, client=KEYED.client("192.0.2.1"), query="token", number="", hit=False)
    log.close()

    # when a window covers the second minute, and another the days before (no files)
    inside = read_all(tmp_path, start=T + 60, end=T + 119)
    before = read_all(tmp_path, start=T - 3 * 86400, end=T - 1)

    # then
    assert [event.at for event in inside] == [int(T) + 60]
    assert before == []


def test_a_failed_write_drops_its_lines_and_never_raises(tmp_path):
    # given a directory path that is a file: nothing can be created under it
    (tmp_path / "events").write_text("in the way")
    log = new_log(tmp_path)

    # when
    log.record(now=T, client=KEYED.client("192.0.2.1"), query="token", number="", hit=False)
    log.record(now=T + 1, client=KEYED.client("192.0.2.1"), query="token", number="", hit=False)
    log.close()

    # then the query path saw no error, and the loss is counted
    assert log.dropped == 2


def test_prune_deletes_day_files_older_than_the_retention_only(tmp_path):
    # given eleven day files (the 18th to the 28th), and files that are not the log's
    directory = tmp_path / "events"
    directory.mkdir()
    for day in range(18, 29):
        day_file(directory, datetime(2026, 11, day, tzinfo=SHANGHAI).date()).write_text("")
    (directory / "notes.txt").write_text("")
    (directory / "queries-20261399.log").write_text("")  # no such date

    # when files older than 7 days are pruned on the 28th
    deleted = query_event_files_prune(directory=directory, keep_days=7, now=T)

    # then the 18th to the 20th go; the 21st to the 28th and the strangers stay
    assert [path.name for path in deleted] == [f"queries-202611{day}.log" for day in (18, 19, 20)]
    assert sorted(path.name for path in directory.iterdir()) == sorted(
        ["notes.txt", "queries-20261399.log"] + [f"queries-202611{day}.log" for day in range(21, 29)]
    )
    assert query_event_files_prune(directory=tmp_path / "missing", keep_days=7, now=T) == []


def test_the_log_and_the_detectors_import_no_django():
    # given a fresh interpreter / when it imports the two modules the public app uses
    code = (
        "import json, sys\n"
        "import skillcert.verification.events, skillcert.verification.watch\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    # then
    assert json.loads(output) == []

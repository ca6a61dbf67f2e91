"""Many requests' database work in one statement: the Batcher itself, and the PostgreSQL store's batched
lookups and counters answering exactly what one statement per call answers."""

import asyncio
import time
from datetime import date

import pytest
from django.db import connection

from skillcert.verification.batching import Batcher
from skillcert.verification.query_input import lookup_plan
from skillcert.verification.store import BATCH_SIZE, ID_SLOTS, QUERIES, PostgresStore
from skillcert.verification.tests.conftest import WANG_ID, ZHANG_ID

WAIT = 5.0  # seconds: a caller left waiting longer than this has been forgotten


class Recorder:
    """A ``run`` for a Batcher that answers each item with its own answer and remembers its calls."""

    def __init__(self, *, fail_first: bool = False, release: asyncio.Event | None = None) -> None:
        self.calls: list[list[int]] = []
        self.fail_first = fail_first
        self.release = release

    async def __call__(self, items: list[int]) -> list[str]:
        self.calls.append(list(items))
        if self.release is not None:
            await self.release.wait()
        if self.fail_first and len(self.calls) == 1:
            raise ValueError("the database went away")
        return [f"answer {item}" for item in items]


async def _settle() -> None:
    """Let the tasks started so far submit, and their batch be sent."""
    for _ in range(5):
        await asyncio.sleep(0)


# The Batcher (no database)


def test_calls_submitted_in_one_turn_go_to_run_as_one_call_and_each_gets_its_own_answer():
    # given a batcher with room for all of them
    run = Recorder()

    async def scenario():
        batcher = Batcher(run, max_size=64)

        # when five callers submit concurrently
        return await asyncio.wait_for(asyncio.gather(*(batcher.submit(i) for i in range(5))), WAIT)

    answers = asyncio.run(scenario())

    # then run was called once, with the items in submission order, and each caller got its own answer
    assert run.calls == [[0, 1, 2, 3, 4]]
    assert answers == ["answer 0", "answer 1", "answer 2", "answer 3", "answer 4"]


def test_calls_in_later_turns_form_batches_of_their_own():
    # given a batcher
    run = Recorder()

    async def scenario():
        batcher = Batcher(run, max_size=64)

        # when one caller waits for its answer before the next submits
        return [await batcher.submit(1), await batcher.submit(2)]

    answers = asyncio.run(scenario())

    # then each went alone
    assert run.calls == [[1], [2]]
    assert answers == ["answer 1", "answer 2"]


def test_more_calls_than_max_size_are_split_into_chunks_of_at_most_max_size():
    # given a batcher sending at most 3 items a call
    run = Recorder()

    async def scenario():
        batcher = Batcher(run, max_size=3)

        # when eight callers submit concurrently
        return await asyncio.wait_for(asyncio.gather(*(batcher.submit(i) for i in range(8))), WAIT)

    answers = asyncio.run(scenario())

    # then they went in chunks of 3, 3 and 2, in order, and every caller got its own answer
    assert run.calls == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert answers == [f"answer {i}" for i in range(8)]


def test_a_failing_run_raises_in_every_caller_of_its_batch_and_the_next_batch_works():
    # given a run that fails the first time only
    run = Recorder(fail_first=True)

    async def scenario():
        batcher = Batcher(run, max_size=64)

        # when three callers submit concurrently, then two more
        failed = await asyncio.wait_for(
            asyncio.gather(*(batcher.submit(i) for i in range(3)), return_exceptions=True), WAIT
        )
        later = await asyncio.wait_for(asyncio.gather(batcher.submit(3), batcher.submit(4)), WAIT)
        return failed, later

    failed, later = asyncio.run(scenario())

    # then each caller of the first batch got the failure, and the next batch was answered
    assert run.calls == [[0, 1, 2], [3, 4]]
    assert [type(error) for error in failed] == [ValueError] * 3
    assert all(str(error) == "the database went away" for error in failed)
    assert later == ["answer 3", "answer 4"]


def test_a_run_answering_the_wrong_number_of_results_fails_every_caller():
    # given a run that loses an answer
    async def short(items: list[int]) -> list[str]:
        return [f"answer {item}" for item in items[1:]]

    async def scenario():
        batcher = Batcher(short, max_size=64)

        # when three callers submit concurrently
        return await asyncio.wait_for(
            asyncio.gather(*(batcher.submit(i) for i in range(3)), return_exceptions=True), WAIT
        )

    outcomes = asyncio.run(scenario())

    # then none of them gets someone else's answer: all fail
    assert [type(outcome) for outcome in outcomes] == [RuntimeError] * 3
    assert str(outcomes[0]) == "2 results for 3 items"


def test_a_caller_cancelled_while_waiting_does_not_break_the_others():
    # given a batch of three being answered slowly
    release = asyncio.Event()
    run = Recorder(release=release)

    async def scenario():
        batcher = Batcher(run, max_size=64)
        callers = [asyncio.ensure_future(batcher.submit(i)) for i in range(3)]
        await _settle()
        assert run.calls == [[0, 1, 2]]  # the batch is out: the cancellation comes while run works

        # when the second caller goes away before the answers come back
        callers[1].cancel()
        release.set()
        return await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), WAIT)

    outcomes = asyncio.run(scenario())

    # then the others get their answers and the cancelled one is cancelled
    assert outcomes[0] == "answer 0" and outcomes[2] == "answer 2"
    assert isinstance(outcomes[1], asyncio.CancelledError)


def test_a_caller_cancelled_before_a_failing_batch_is_sent_leaves_the_failure_to_the_others():
    # given a run that fails, and three callers submitted in one turn
    run = Recorder(fail_first=True)

    async def scenario():
        batcher = Batcher(run, max_size=64)
        callers = [asyncio.ensure_future(batcher.submit(i)) for i in range(3)]
        await asyncio.sleep(0)  # all three have submitted; the batch leaves at the end of the turn
        assert run.calls == []

        # when the first caller goes away before the batch is sent
        callers[0].cancel()
        outcomes = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), WAIT)
        later = await asyncio.wait_for(batcher.submit(3), WAIT)
        return outcomes, later

    outcomes, later = asyncio.run(scenario())

    # then the item still went (the batch does the same work), the others get the failure, none hangs,
    # and the batcher still answers
    assert run.calls == [[0, 1, 2], [3]]
    assert isinstance(outcomes[0], asyncio.CancelledError)
    assert [type(outcome) for outcome in outcomes[1:]] == [ValueError, ValueError]
    assert later == "answer 3"


# The PostgreSQL store


class RecordingStore(PostgresStore):
    """The PostgreSQL store, remembering the size of each batched statement it sends."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lookup_batches: list[int] = []
        self.count_batches: list[int] = []

    async def _lookup_batch(self, lookups):
        self.lookup_batches.append(len(lookups))
        return await super()._lookup_batch(lookups)

    async def _count_batch(self, calls):
        self.count_batches.append(len(calls))
        return await super()._count_batch(calls)


def require_postgres(config) -> None:
    if config.postgres_url is None:
        pytest.skip("the store batches statements on PostgreSQL only")


def plan(config, **fields: str) -> tuple[str, list]:
    """(query, params) exactly as the app makes them from the typed fields."""
    query, params, _ = lookup_plan(fields, index_key=config.index_key, now=time.time())
    return query, params


def one_at_a_time(query: str, params: list) -> list[tuple]:
    """The query's own statement, run alone through Django's connection, dates as ISO text."""
    with connection.cursor() as cursor:
        cursor.execute(QUERIES[query].replace("?", "%s"), params)
        rows = cursor.fetchall()
    return [tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows]


def mixed_lookups(config, issued) -> list[tuple[str, list]]:
    """Hits and misses of each kind of lookup by number, and the two kinds that are not batched."""
    zhang, wang, welder = issued.zhang.number, issued.wang.number, issued.wang_welder.number
    zhang_index = plan(config, number=zhang, id_number=ZHANG_ID)[1][1]
    wang_index = plan(config, number=wang, id_number=WANG_ID)[1][1]
    lookups = [
        plan(config, number=zhang, name="张伟"),  # hit
        plan(config, number=zhang, name="王芳"),  # another holder's name: miss
        plan(config, number=wang, name="王芳"),  # hit
        plan(config, number=welder, name="王芳"),  # hit, her second certificate
        plan(config, number="NO-SUCH-NUMBER", name="张伟"),  # unknown number: miss
        plan(config, number=zhang, id_number=ZHANG_ID),  # hit
        plan(config, number=zhang, id_number=WANG_ID),  # another holder's ID number: miss
        plan(config, number=welder, id_number=WANG_ID.lower()),  # hit, typed with a lower-case x
        plan(config, number="NO-SUCH-NUMBER", id_number=ZHANG_ID),  # miss
        plan(config, number=zhang, id_number=ZHANG_ID, name="张伟"),  # hit
        plan(config, number=zhang, id_number=ZHANG_ID, name="王芳"),  # right ID, wrong name: miss
        plan(config, number=zhang, id_number=WANG_ID, name="张伟"),  # right name, wrong ID: miss
        plan(config, number=wang, id_number=WANG_ID, name="王芳"),  # hit
        # the matching ID index in the last of the ID_SLOTS slots, where none of the above has it
        ("number_id", [zhang, *[wang_index] * (ID_SLOTS - 1), zhang_index]),  # hit
        ("number_id_name", [zhang, *[wang_index] * (ID_SLOTS - 1), zhang_index, "张伟"]),  # hit
        plan(config, name="王芳", id_number=WANG_ID),  # name_id: one by one, both her certificates
        ("token", [issued.zhang.qr_token]),  # by QR token: one by one
        ("token", ["no-such-token"]),
    ]
    return lookups + lookups[::-1]  # the same lookups again in another order, in the same gather


def ask_together(config, lookups: list[tuple[str, list]]) -> tuple[list, list[int]]:
    """Every lookup asked at once of one store: (the answers, the size of each statement it sent)."""

    async def scenario():
        store = RecordingStore(conninfo=config.postgres_url, pool_size=4)
        try:
            answers = await asyncio.wait_for(
                asyncio.gather(*(store.fetch(query, params) for query, params in lookups)), WAIT * 2
            )
        finally:
            await store.close()
        return answers, store.lookup_batches

    return asyncio.run(scenario())


def test_concurrent_mixed_lookups_answer_what_each_query_answers_alone(verification_config, issued):
    # given hits and misses of every kind of lookup, and what each answers when run alone
    require_postgres(verification_config)
    lookups = mixed_lookups(verification_config, issued)
    assert [query for query, _ in lookups[:16]] == (
        ["number_name"] * 5
        + ["number_id"] * 4
        + ["number_id_name"] * 4
        + ["number_id", "number_id_name"]
        + ["name_id"]
    )
    expected = [one_at_a_time(query, params) for query, params in lookups]
    assert [len(rows) for rows in expected[:18]] == [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 2, 1, 0]

    # when they are all asked concurrently
    answers, batches = ask_together(verification_config, lookups)

    # then each gets exactly its own answer, and the lookups by number went as one statement
    assert answers == expected
    assert batches == [30]


def test_a_lookup_alone_answers_what_its_query_answers(verification_config, issued):
    # given one lookup of each kind by number (a batch of one: arrays holding a single value or NULL)
    require_postgres(verification_config)
    lookups = [
        plan(verification_config, number=issued.zhang.number, name="张伟"),
        plan(verification_config, number=issued.wang.number, id_number=WANG_ID),
        plan(verification_config, number=issued.zhang.number, id_number=ZHANG_ID, name="张伟"),
        plan(verification_config, number=issued.zhang.number, id_number=ZHANG_ID, name="王芳"),
    ]
    expected = [one_at_a_time(query, params) for query, params in lookups]
    assert [len(rows) for rows in expected] == [1, 1, 1, 0]

    async def scenario():
        store = RecordingStore(conninfo=verification_config.postgres_url, pool_size=4)
        try:
            # when they are asked one after the other
            return [await store.fetch(query, params) for query, params in lookups], store.lookup_batches
        finally:
            await store.close()

    answers, batches = asyncio.run(scenario())

    # then each went alone and answered as its own statement does
    assert answers == expected
    assert batches == [1, 1, 1, 1]


def test_more_lookups_than_a_batch_holds_are_split_and_each_answered(verification_config, issued):
    # given more concurrent lookups than one statement takes, hits and misses interleaved
    require_postgres(verification_config)
    kinds = [
        plan(verification_config, number=issued.zhang.number, name="张伟"),
        plan(verification_config, number=issued.wang.number, name="张伟"),
        plan(verification_config, number=issued.wang_welder.number, id_number=WANG_ID),
        plan(verification_config, number=issued.wang.number, id_number=ZHANG_ID, name="王芳"),
    ]
    lookups = [kinds[i % len(kinds)] for i in range(2 * BATCH_SIZE + 22)]
    expected = [one_at_a_time(query, params) for query, params in kinds]
    assert [len(rows) for rows in expected] == [1, 0, 1, 0]

    # when they are all asked at once
    answers, batches = ask_together(verification_config, lookups)

    # then they went in statements of at most BATCH_SIZE, and every caller got its own answer
    assert batches == [BATCH_SIZE, BATCH_SIZE, 22]
    assert answers == [expected[i % len(kinds)] for i in range(len(lookups))]


def stored_count(key: tuple[int, int]) -> int | None:
    """The counter's row as the table holds it: 4 bytes of window end, 8 of tag, big-endian."""
    end, tag = key
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count FROM verification_counter WHERE key = %s",
            [end.to_bytes(4, "big") + tag.to_bytes(8, "big")],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def test_concurrent_counts_in_one_batch_are_answered_in_submission_order(verification_config):
    # given two counters in a window that has not ended, one already at 10
    require_postgres(verification_config)
    end = int(time.time()) + 3600
    first, second = (end, 0x1234_5678_9ABC_DEF0), (end, 7)
    now = time.time()

    async def scenario():
        store = RecordingStore(conninfo=verification_config.postgres_url, pool_size=4)
        try:
            await store.count([(second, 10)], now=now)

            # when callers count concurrently: five on the first key, then one on both, then one adding 3
            calls = [[(first, 1)]] * 5 + [[(first, 1), (second, 1)], [(first, 3), (second, 2)]]
            answers = await asyncio.wait_for(
                asyncio.gather(*(store.count(increments, now=now) for increments in calls)), WAIT
            )
            read_back = await store.count([(first, 0), (second, 0)], now=now)
        finally:
            await store.close()
        return answers, read_back, store.count_batches

    answers, read_back, batches = asyncio.run(scenario())

    # then each caller got the count its own increment reached, in submission order, in one statement
    assert batches == [1, 7, 1]
    assert answers == [
        {first: 1},
        {first: 2},
        {first: 3},
        {first: 4},
        {first: 5},
        {first: 6, second: 11},
        {first: 9, second: 13},
    ]
    # and the stored counts are the totals
    assert read_back == {first: 9, second: 13}
    assert (stored_count(first), stored_count(second)) == (9, 13)


def test_two_concurrent_spends_of_one_challenge_let_exactly_one_through(verification_config):
    # given a solved challenge's key, expiring in an hour
    require_postgres(verification_config)
    key = (int(time.time()) + 3600, 0xC0FFEE)
    now = time.time()

    async def scenario():
        store = RecordingStore(conninfo=verification_config.postgres_url, pool_size=4)
        try:
            # when two requests spend it at once
            counts = await asyncio.wait_for(
                asyncio.gather(*(store.count([(key, 1)], now=now, exact=True) for _ in range(2))), WAIT
            )
        finally:
            await store.close()
        return counts, store.count_batches

    counts, batches = asyncio.run(scenario())

    # then they went in one statement and exactly one of them saw the first use
    assert batches == [2]
    assert sorted(count[key] for count in counts) == [1, 2]
    assert stored_count(key) == 2


def test_two_workers_spending_one_challenge_at_once_let_exactly_one_through(verification_config):
    # given two workers' stores and a solved challenge's key
    require_postgres(verification_config)
    key = (int(time.time()) + 3600, 0xBEEF)
    now = time.time()

    async def scenario():
        stores = [PostgresStore(conninfo=verification_config.postgres_url, pool_size=4) for _ in range(2)]
        try:
            # when each worker spends it, at the same time
            return await asyncio.wait_for(
                asyncio.gather(*(store.count([(key, 1)], now=now, exact=True) for store in stores)), WAIT
            )
        finally:
            for store in stores:
                await store.close()

    counts = asyncio.run(scenario())

    # then exactly one of them saw the first use
    assert sorted(count[key] for count in counts) == [1, 2]
    assert stored_count(key) == 2


def test_a_count_of_zero_only_reads_even_in_a_batch_with_increments(verification_config):
    # given a counter at 4, and a key nobody has counted yet
    require_postgres(verification_config)
    end = int(time.time()) + 3600
    counted, fresh = (end, 41), (end, 42)
    now = time.time()

    async def scenario():
        store = RecordingStore(conninfo=verification_config.postgres_url, pool_size=4)
        try:
            await store.count([(counted, 4)], now=now)

            # when, in one batch, one caller reads both, another adds 1 to the first, a third reads again
            calls = [[(counted, 0), (fresh, 0)], [(counted, 1)], [(counted, 0), (fresh, 0)]]
            answers = await asyncio.wait_for(
                asyncio.gather(*(store.count(increments, now=now) for increments in calls)), WAIT
            )
        finally:
            await store.close()
        return answers, store.count_batches

    answers, batches = asyncio.run(scenario())

    # then each saw the counts as of its place in the batch, and the fresh key got no row
    assert batches == [1, 3]
    assert answers == [{counted: 4, fresh: 0}, {counted: 5}, {counted: 5, fresh: 0}]
    assert (stored_count(counted), stored_count(fresh)) == (5, None)

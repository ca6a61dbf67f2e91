"""Many requests' database work in one statement: what the public query does on PostgreSQL under load.

A lookup by a unique index costs PostgreSQL about as much to receive, plan, execute and answer as sixteen
of them sent together (bench/: 311 µs a lookup one by one, 80 µs each sixteen at a time, on this 2-core
machine). So the PostgreSQL store gathers the calls that arrive in one turn of the event loop and sends them
as one statement; a single request waits no longer than it would have alone, since the statement leaves
within the same turn.

Every call in a batch does the same work whatever the others are and whatever it finds, so gathering tells
no one whether another query was a hit (security.md P1).
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batcher(Generic[Item, Result]):
    """Calls ``run`` with the items submitted in one turn of the event loop, at most ``max_size`` at a time;
    ``run`` answers one result per item, in order. A failure of ``run`` is every caller's failure."""

    def __init__(self, run: Callable[[list[Item]], Awaitable[Sequence[Result]]], *, max_size: int) -> None:
        self._run = run
        self._max_size = max_size
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._running: set[asyncio.Task[None]] = set()  # referenced until done (the loop keeps weak ones)

    async def submit(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) == 1:  # the first of this turn: send them all once the turn's calls are in
            loop.call_soon(self._send)
        return await future

    def _send(self) -> None:
        pending, self._pending = self._pending, []
        for start in range(0, len(pending), self._max_size):
            task = asyncio.ensure_future(self._answer(pending[start : start + self._max_size]))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _answer(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._run([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for {len(batch)} items")
        except BaseException as error:
            for _, future in batch:
                if not future.done():  # a caller that went away has cancelled its own
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

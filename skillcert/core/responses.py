"""Responses that behave under ASGI, which is how ``skillcert serve`` runs Django."""

from collections.abc import AsyncIterator, Iterator
from typing import cast

from asgiref.sync import sync_to_async
from django.http import FileResponse


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


class StreamedFileResponse(FileResponse):
    """A FileResponse that an ASGI server sends chunk by chunk, each read in a worker thread.

    Django's ASGI handler consumes a FileResponse's synchronous iterator whole, into a list, before it
    sends the first byte (with the warning "StreamingHttpResponse must consume synchronous iterators"):
    a plan's certificate ZIP of tens of megabytes would sit in memory for every download. Under WSGI and
    the test client it is an ordinary FileResponse.
    """

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = iter(cast(Iterator[bytes], self.streaming_content))  # a file's: always synchronous
        read = sync_to_async(_next_chunk, thread_sensitive=False)
        while (chunk := await read(chunks)) is not None:
            yield chunk


class StaticFileResponse(StreamedFileResponse):
    """A static file as WhiteNoise answers it, streamed under ASGI like StreamedFileResponse. The headers
    are WhiteNoise's alone (type, length, caching, compression): FileResponse would otherwise set its own
    from the file."""

    block_size = 64 * 1024  # one read in a worker thread for nearly every stylesheet and script

    def set_headers(self, filelike: object) -> None:
        pass

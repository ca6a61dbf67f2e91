"""Static files under ASGI: WhiteNoise finds them and writes their headers; StaticFileResponse sends them.

WhiteNoise's own middleware answers with a FileResponse whose iterator is synchronous. Django's ASGI handler
reads such an iterator whole into memory before it sends the first byte, and warns
("StreamingHttpResponse must consume synchronous iterators") in every worker.
"""

from django.http import HttpRequest
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import StaticFile

from skillcert.core.responses import StaticFileResponse


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, answering with a response that an ASGI server sends as the file is read."""

    @staticmethod
    def serve(static_file: StaticFile, request: HttpRequest) -> StaticFileResponse:
        answer = static_file.get_response(request.method, request.META)
        response = StaticFileResponse(answer.file or (), status=int(answer.status))
        del response["Content-Type"]  # Django's default; WhiteNoise sends the file's own
        for name, value in answer.headers:
            response[name] = value
        return response

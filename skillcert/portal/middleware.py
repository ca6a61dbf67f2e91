"""A form Django refuses to read is answered before anything else reads it (views_errors.py)."""

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse

from skillcert.portal.views_errors import API_PREFIX, bad_request


class UnreadableFormMiddleware:
    """A POST whose form Django refuses to parse (a charset other than UTF-8, too many fields) gets the
    portal's 400 page here. Left to the CSRF check, the refusal reaches Django's own handling, which reads
    the form again (the debug page does, with DEBUG on) and fails a second time: a 500. The API reads its
    own bodies and answers their errors itself (api/v1/problems.py)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and not request.path_info.startswith(API_PREFIX):
            try:
                request.POST  # noqa: B018 - parsed here once; views read the same parsed form
            except (BadRequest, SuspiciousOperation) as error:
                return bad_request(request, error)
        return self.get_response(request)

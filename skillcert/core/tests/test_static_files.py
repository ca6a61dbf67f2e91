"""Static files under ASGI, as ``skillcert serve`` sends them: streamed as read, with WhiteNoise's headers."""

import warnings
from pathlib import Path

import pytest
from django.conf import settings

from skillcert.core.tests.asgi import asgi_request, response_body, response_headers

STYLESHEET = "vendor/bootstrap/bootstrap.min.css"
SYNC_WARNING = "must consume synchronous iterators"


def stylesheet_bytes() -> bytes:
    return (Path(settings.BASE_DIR) / "skillcert" / "static" / STYLESHEET).read_bytes()


@pytest.mark.django_db
def test_a_stylesheet_is_sent_as_it_is_read_not_read_whole_first():
    # given: a stylesheet larger than one read
    expected = stylesheet_bytes()
    assert len(expected) > 64 * 1024

    # when a browser fetches it from the portal served on ASGI
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sent = asgi_request(settings.STATIC_URL + STYLESHEET)

    # then it gets the file's bytes in several messages, with WhiteNoise's headers, and Django did not
    # have to take the whole file into memory first (which it does, warning, for a synchronous iterator)
    assert sent[0]["status"] == 200
    assert response_body(sent) == expected
    assert len([message for message in sent[1:] if message.get("body")]) > 1
    headers = response_headers(sent)
    assert headers["content-type"].startswith("text/css")
    assert headers["content-length"] == str(len(expected))
    assert "etag" in headers and "cache-control" in headers
    assert not [warning for warning in caught if SYNC_WARNING in str(warning.message)]


@pytest.mark.django_db
def test_a_cached_stylesheet_is_not_modified_and_a_head_request_gets_no_body():
    # given: the stylesheet's ETag, as a browser keeps it
    path = settings.STATIC_URL + STYLESHEET
    etag = response_headers(asgi_request(path))["etag"]

    # when the browser asks again with it, and a client asks for the headers alone
    revalidated = asgi_request(path, headers={"If-None-Match": etag})
    head = asgi_request(path, method="HEAD")

    # then: 304 with no body; HEAD has the file's length and no body
    assert revalidated[0]["status"] == 304 and response_body(revalidated) == b""
    assert head[0]["status"] == 200 and response_body(head) == b""
    assert response_headers(head)["content-length"] == str(len(stylesheet_bytes()))


@pytest.mark.django_db
def test_a_missing_static_file_is_the_portals_not_found_page():
    sent = asgi_request(settings.STATIC_URL + "vendor/none.css")

    assert sent[0]["status"] == 404

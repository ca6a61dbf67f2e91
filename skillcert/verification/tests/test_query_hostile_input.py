"""The public query under input no form sends: every answer a clear 4xx in Chinese, never a server error."""

import asyncio

from skillcert.core.tests.asgi import asgi_scope
from skillcert.verification.tests.conftest import ROOMY, app_for

API = "/api/v1/public/certificates"


def test_json_nested_deeper_than_python_reads_is_refused_as_unreadable(client):
    # given a JSON body of a thousand opened arrays, within the size limit
    body = "[" * 1000

    # when it is posted to the API and to the query page
    answer = client.post(API, content=body, headers={"content-type": "application/json"})
    page = client.post("/query", content=body, headers={"content-type": "application/json"})

    # then both refuse it as unreadable JSON, saying so
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"form": "请求内容不是有效的 JSON。"}
    assert page.status_code == 422 and "请求内容不是有效的 JSON。" in page.text


def test_an_unknown_address_and_a_wrong_method_answer_in_chinese_with_allow(client):
    # when a client asks for an address the API does not have, and PUTs a query
    missing = client.get("/api/v1/public/nothing")
    wrong_method = client.put(API, data={"number": "x", "name": "y"})

    # then the answers say what is wrong in Chinese, and the 405 names the methods allowed
    assert missing.status_code == 404 and missing.json()["detail"] == "未找到：地址或核验码有误。"
    assert wrong_method.status_code == 405
    allowed = wrong_method.headers["allow"]
    assert {method.strip() for method in allowed.split(",")} >= {"GET", "POST"}
    assert wrong_method.json()["detail"] == f"此地址不接受 PUT 请求，可用：{allowed}。"


def test_a_client_gone_before_its_query_arrived_gets_nothing_and_raises_nothing(verification_config):
    # given a client that declares a body and disconnects before sending it
    app = app_for(verification_config, **ROOMY)
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    def call(path: str) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "40"}
        scope = asgi_scope(path, method="POST", headers=headers, scheme="https", client="192.0.2.9")
        asyncio.run(app(scope, receive, send))

    # when it happens on the API and on the query page
    call(API)
    api_sent = list(sent)
    call("/query")

    # then the API sends nothing, the page's answer goes nowhere, and neither raises (no traceback logged)
    assert api_sent == []
    assert all(message["type"] != "http.response.start" or message["status"] == 400 for message in sent)

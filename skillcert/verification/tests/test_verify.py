"""The QR-code pages: /v/{token} and /api/v1/public/verify/{token}; revoked and reissued certificates."""

from django.utils import timezone

from skillcert.certificates.services.reissue import certificate_reissue
from skillcert.certificates.services.revoke import certificate_revoke
from skillcert.verification.tests.conftest import ISSUED_ON

API = "/api/v1/public/certificates"


def test_the_page_and_the_json_show_the_same_facts_and_link_the_credential(client, issued):
    # when 张伟's QR code is opened, as a page and as JSON
    token = issued.zhang.qr_token
    page = client.get(f"/v/{token}")
    answer = client.get(f"/api/v1/public/verify/{token}")

    # then both show the certificate, valid, with the signed credential's address
    assert answer.status_code == 200
    assert answer.json() == {
        "certificate": {
            "name": "张伟",
            "occupation": "中式烹调师",
            "occupation_code": "4-03-02-01",
            "job_type": "--",
            "level": "三级/高级工",
            "number": issued.zhang.number,
            "body": "上海浦江机电集团有限公司",
            "issue_date": ISSUED_ON.isoformat(),
            "status": "valid",
            "revoked_on": None,
            "replaced_by": None,
        },
        "credential": f"/credentials/v/{token}/credential.json",
    }
    assert page.status_code == 200
    for shown in (
        "张伟",
        "中式烹调师（4-03-02-01）",
        "三级/高级工",
        issued.zhang.number,
        "2025-06-30",
        "有效",
    ):
        assert shown in page.text
    assert f'href="/credentials/v/{token}/credential.json"' in page.text


def test_an_unknown_token_is_a_plain_404(client, issued):
    # when a well-formed unknown token, a malformed one and a certificate number are tried
    unknown = "A" * 43
    pages = [client.get(f"/v/{value}") for value in (unknown, "x", issued.zhang.number)]
    answers = [client.get(f"/api/v1/public/verify/{value}") for value in (unknown, "x", issued.zhang.number)]

    # then each is the same 404, which says nothing about why
    assert [p.status_code for p in pages] == [404, 404, 404]
    assert len({p.text for p in pages}) == 1 and "页面不存在" in pages[0].text
    assert [a.status_code for a in answers] == [404, 404, 404]
    not_found = {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "未找到：地址或核验码有误。",
    }
    assert [a.json() for a in answers] == [not_found] * 3


def test_a_revoked_certificate_shows_revoked_with_its_date(client, issued, world):
    # given 张伟's certificate revoked by its body
    certificate_revoke(certificate=issued.zhang, reason="考试作弊，撤销证书", actor=world.body_y_admin)
    today = timezone.localdate().isoformat()

    # when it is queried and its QR code opened
    queried = client.post(API, data={"number": issued.zhang.number, "name": "张伟"}).json()
    verified = client.get(f"/api/v1/public/verify/{issued.zhang.qr_token}").json()
    page = client.get(f"/v/{issued.zhang.qr_token}")

    # then each says revoked, with the date, and never the reason
    assert [(c["status"], c["revoked_on"]) for c in queried["certificates"]] == [("revoked", today)]
    assert (verified["certificate"]["status"], verified["certificate"]["revoked_on"]) == ("revoked", today)
    assert f"已撤销（撤销日期 {today}）" in page.text
    assert "作弊" not in page.text and "作弊" not in str(queried)


def test_a_reissued_certificate_points_to_its_replacement(client, issued, world):
    # given 王芳's certificate reissued with her name corrected
    new = certificate_reissue(
        certificate=issued.wang,
        corrections={"holder_name": "王 芳"},
        reason="姓名更正",
        actor=world.body_y_admin,
    )

    # when the old QR code is opened and the new certificate queried under the corrected name
    old = client.get(f"/api/v1/public/verify/{issued.wang.qr_token}").json()["certificate"]
    found = client.post(API, data={"number": new.number, "name": "王 芳"}).json()["certificates"]

    # then the old one is revoked and names the new one, which is valid
    assert (old["status"], old["replaced_by"]) == ("revoked", new.number)
    assert [(c["number"], c["name"], c["status"]) for c in found] == [(new.number, "王 芳", "valid")]

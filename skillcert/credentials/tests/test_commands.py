"""``skillcert verify-credential`` and ``skillcert trust-bundle``: exit codes, messages, the signed bundle."""

import copy
import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from skillcert.core.models import AuditEvent
from skillcert.credentials.models import PlatformKey
from skillcert.credentials.multikey import public_key_multibase
from skillcert.credentials.services import credential_for_certificate, credential_status_revoke
from skillcert.credentials.tests.helpers import changed, issue
from skillcert.credentials.trust import bundle_open, bundle_sign

BASE = "https://skillcert.example.gov.cn"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def portal(settings):
    settings.PUBLIC_BASE_URL = BASE


def verify(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_credential", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = int(exit.code)
    return code, out.getvalue().strip(), err.getvalue().strip()


def write(path, document) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def export_bundle(tmp_path) -> tuple[str, dict, str]:
    out, err = StringIO(), StringIO()
    target = tmp_path / "bundle.json"
    call_command("trust_bundle", "-o", str(target), stdout=out, stderr=err)
    return str(target), json.loads(target.read_text(encoding="utf-8")), err.getvalue().strip()


def test_valid_credential_exits_0_against_the_local_database(world, tmp_path):
    # given a certificate's credential in a file
    (certificate,) = issue(world)
    path = write(tmp_path / "c.json", credential_for_certificate(certificate=certificate))

    # when
    code, out, err = verify(path)

    # then
    assert (code, err) == (0, "")
    assert out.startswith("有效：凭证有效：签名正确，签发机构密钥可信，未被撤销，在有效期内。")
    assert out.endswith("（信任来源：本地数据库）")


def test_tampered_credential_exits_1_with_the_reason(world, tmp_path):
    # given a credential whose level was edited
    (certificate,) = issue(world)
    credential = changed(
        credential_for_certificate(certificate=certificate),
        ["credentialSubject", "achievement", "name"],
        "中式烹调师 一级/高级技师",
    )

    # when
    code, _out, err = verify(write(tmp_path / "c.json", credential))

    # then
    assert code == 1
    assert err == "无效：凭证签名验证失败：内容在签发后被改动，或签名无效。（信任来源：本地数据库）"


def test_revoked_credential_exits_1(world, tmp_path):
    # given a credential whose certificate was revoked after download
    (certificate,) = issue(world)
    path = write(tmp_path / "c.json", credential_for_certificate(certificate=certificate))
    credential_status_revoke(certificates=[certificate])

    # when
    code, _out, err = verify(path)

    # then
    assert code == 1
    assert err.startswith(
        "无效：证书已撤销（状态列表 https://skillcert.example.gov.cn/issuers/91310115MA1H7GQX37/status/1 第 "
    )


def test_not_json_is_malformed_and_missing_file_is_unusable(world, tmp_path):
    # given a file that is not JSON
    bad = tmp_path / "c.json"
    bad.write_text("not json", encoding="utf-8")

    # when / then
    assert verify(str(bad)) == (1, "", "无效：凭证格式错误：文件不是 JSON。")
    code, _out, err = verify(str(tmp_path / "missing.json"))
    assert code == 2
    assert err.startswith(f"无法读取凭证文件 {tmp_path / 'missing.json'}：")


def test_expiry_is_judged_at_the_given_time(world, tmp_path):
    # given a valid credential (valid from 2025-06-30 Shanghai time) / when judged before that
    (certificate,) = issue(world)
    path = write(tmp_path / "c.json", credential_for_certificate(certificate=certificate))

    # then
    assert verify(path, "--at", "2025-06-01T00:00:00+08:00")[:2] == (1, "")
    assert verify(path, "--at", "2025-06-01T00:00:00+08:00")[2] == (
        "无效：凭证尚未生效：自 2025-06-29T16:00:00Z 起有效。（信任来源：本地数据库）"
    )


def test_trust_bundle_export_is_signed_and_audited(world, tmp_path):
    # given issued certificates of body_y (body_s filed, without certificates)
    issue(world, count=2)

    # when the bundle is exported
    _path, bundle, err = export_bundle(tmp_path)

    # then: both filed bodies' controller documents and body_y's list, signed by the printed platform key
    key = PlatformKey.objects.get()
    assert err == f"平台公钥：{key.public_key_multibase}"
    assert bundle["signature"]["publicKeyMultibase"] == key.public_key_multibase
    assert sorted(doc["id"] for doc in bundle["controllers"]) == [
        f"{BASE}/issuers/52310112MJ5021947L",
        f"{BASE}/issuers/91310115MA1H7GQX37",
    ]
    assert [doc["id"] for doc in bundle["statusLists"]] == [f"{BASE}/issuers/91310115MA1H7GQX37/status/1"]
    store = bundle_open(bundle, trusted_keys={key.public_key_multibase})
    assert set(store.controllers) == {doc["id"] for doc in bundle["controllers"]}
    event = AuditEvent.objects.get(action="trust_bundle.exported")
    assert (event.actor_username, event.data) == (
        "skillcert trust-bundle",
        {"platform_key": key.public_key_multibase, "issuers": 2, "status_lists": 1},
    )


def test_verification_with_a_bundle(world, tmp_path):
    # given a credential and an exported bundle
    (certificate,) = issue(world)
    path = write(tmp_path / "c.json", credential_for_certificate(certificate=certificate))
    bundle_path, _bundle, _err = export_bundle(tmp_path)

    # when / then: verified from the bundle
    code, out, _err = verify(path, "--trust", bundle_path)
    assert code == 0
    assert out.endswith(f"（信任来源：信任包 {bundle_path}）")


def test_tampered_bundle_is_refused(world, tmp_path):
    # given a bundle in which someone swapped body_y's key for their own
    (certificate,) = issue(world)
    path = write(tmp_path / "c.json", credential_for_certificate(certificate=certificate))
    _bundle_path, bundle, _err = export_bundle(tmp_path)
    forged = copy.deepcopy(bundle)
    forged["controllers"][1]["verificationMethod"][0]["publicKeyMultibase"] = (
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    )
    forged_path = write(tmp_path / "forged.json", forged)

    # when / then: the bundle's signature fails, nothing is verified from it (exit 2)
    code, _out, err = verify(path, "--trust", forged_path)
    assert code == 2
    assert err == "信任包不可用：信任包签名验证失败：文件在签发后被改动。"


def test_bundle_signed_by_an_unknown_key_is_refused_unless_pinned(world, tmp_path):
    # given a bundle from this installation, checked by a verifier that does not know our platform key
    (certificate,) = issue(world)
    path = write(tmp_path / "c.json", credential_for_certificate(certificate=certificate))
    bundle_path, bundle, _err = export_bundle(tmp_path)
    key = bundle["signature"]["publicKeyMultibase"]
    PlatformKey.objects.all().delete()  # as on another region's machine

    # when / then: refused without the pinned key, accepted with --trust-key
    code, _out, err = verify(path, "--trust", bundle_path)
    assert code == 2
    assert err.startswith(f"信任包不可用：信任包的签名公钥 {key} 不在受信任的平台公钥之列")
    assert verify(path, "--trust", bundle_path, "--trust-key", key)[0] == 0


def test_bundle_without_the_issuer_reports_unknown_issuer(world, tmp_path):
    # given a genuine bundle, signed by a pinned key, that holds only another body's documents
    (certificate,) = issue(world)
    path = write(tmp_path / "c.json", credential_for_certificate(certificate=certificate))
    _bundle_path, bundle, _err = export_bundle(tmp_path)
    other_region = Ed25519PrivateKey.generate()
    partial = bundle_sign(
        controllers=[doc for doc in bundle["controllers"] if "52310112MJ5021947L" in doc["id"]],
        status_lists=[],
        issued=bundle["issued"],
        publisher="https://other-region.example.gov.cn",
        private_key=other_region,
    )
    partial_path = write(tmp_path / "partial.json", partial)

    # when
    code, _out, err = verify(
        path, "--trust", partial_path, "--trust-key", public_key_multibase(other_region.public_key())
    )

    # then
    assert code == 1
    assert err == (
        f"无效：未知的签发机构：信任来源中没有 {BASE}/issuers/91310115MA1H7GQX37 的密钥文档，无法确认签名者。"
        f"（信任来源：信任包 {partial_path}）"
    )

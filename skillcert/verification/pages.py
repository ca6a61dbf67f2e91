"""HTML for the public pages: plain ``string.Template`` files under templates/public/, every value escaped.

No Django templates (the app is Django-free) and no Jinja2 (four small pages do not need a dependency).
The one script, which solves the proof-of-work challenge, is inlined and allowed by its hash in the CSP.
"""

import base64
import hashlib
from html import escape
from pathlib import Path
from string import Template

from skillcert.verification.challenge import Challenge
from skillcert.verification.config import VerificationConfig

_TEMPLATES = Path(__file__).resolve().parent / "templates" / "public"


def _load(name: str) -> Template:
    return Template((_TEMPLATES / name).read_text(encoding="utf-8"))


LAYOUT = _load("layout.html")
QUERY = _load("query.html")
RESULTS = _load("results.html")
CERTIFICATE = _load("certificate.html")
FACTS = _load("facts.html")
NOT_FOUND = _load("not_found.html")
# One solver for every form that asks for a proof of work; the Django pages load it as a static file.
_SOLVER = Path(__file__).resolve().parents[1] / "static" / "skillcert" / "challenge.js"
CHALLENGE_SCRIPT = _SOLVER.read_text(encoding="utf-8")
CHALLENGE_SCRIPT_HASH = (
    "sha256-" + base64.b64encode(hashlib.sha256(CHALLENGE_SCRIPT.encode()).digest()).decode()
)

# Strict: nothing from elsewhere, no inline code except the challenge script, no framing, no plugins.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"script-src '{CHALLENGE_SCRIPT_HASH}'; "
    "style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)

STATUS_LABELS = {"valid": "有效", "revoked": "已撤销"}

MSG_NO_RESULT = "未查询到符合条件的证书。请核对所填内容是否与证书完全一致。"
MSG_CHALLENGE = (
    "本机连续多次查询未果，继续查询前需完成一次浏览器验证（由本网站自行计算，不经第三方），完成后将自动提交。"
)
MSG_CHALLENGE_NOSCRIPT = "浏览器验证需要启用 JavaScript。请启用后刷新本页，或稍后再试。"


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def status_text(record: dict) -> str:
    """有效, or 已撤销（撤销日期 …）with the replacement's number when reissued."""
    if record["status"] != "revoked":
        return STATUS_LABELS.get(record["status"], record["status"])
    text = "已撤销"
    if record.get("revoked_on"):
        text += f"（撤销日期 {record['revoked_on']}）"
    if record.get("replaced_by"):
        text += f"，已由证书 {record['replaced_by']} 替代"
    return text


def layout(config: VerificationConfig, *, title: str, content: str) -> str:
    head = [f'  <link rel="stylesheet" href="{_e(url)}">' for url in config.stylesheets]
    if config.favicon:
        head.insert(0, f'  <link rel="icon" href="{_e(config.favicon)}" type="image/svg+xml">')
    return LAYOUT.substitute(
        title=_e(title), head="\n".join(head), home_url=_e(config.home_url), content=content
    )


def facts(record: dict) -> str:
    badge = "text-bg-success" if record["status"] == "valid" else "text-bg-danger"
    status = _e(record["status"])
    return FACTS.substitute(
        status=f'<span class="badge {badge}" data-status="{status}">{_e(status_text(record))}</span>',
        name=_e(record["name"]),
        occupation=_e(f"{record['occupation']}（{record['occupation_code']}）"),
        job_type=_e(record["job_type"]),
        level=_e(record["level"]),
        number=_e(record["number"]),
        body=_e(record["body"]),
        issue_date=_e(record["issue_date"]),
    )


def query_page(
    config: VerificationConfig,
    *,
    action: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    results: list[dict] | None = None,
    challenge: Challenge | None = None,
) -> str:
    values = values or {}
    errors = errors or {}
    fields = {}
    for name in ("name", "id_number", "number"):
        fields[name] = _e(values.get(name, ""))
        fields[f"{name}_invalid"] = ' aria-invalid="true"' if name in errors else ""
        fields[f"{name}_error"] = (
            f'        <div class="invalid-feedback d-block">{_e(errors[name])}</div>'
            if name in errors
            else ""
        )
    notices = []
    if errors.get("form"):
        notices.append(f'  <p class="alert alert-warning" role="alert">{_e(errors["form"])}</p>')
    if notice:
        notices.append(f'  <p class="alert alert-warning" role="alert">{_e(notice)}</p>')
    challenge_attributes = challenge_fields = ""
    if challenge is not None:
        autosubmit = "1" if len([v for v in values.values() if v]) >= 2 else "0"
        challenge_attributes = (
            f' data-challenge="{_e(challenge.token)}" data-bits="{challenge.bits}"'
            f' data-autosubmit="{autosubmit}" data-verb="查询"'
        )
        challenge_fields = (
            f'    <input type="hidden" name="challenge" value="{_e(challenge.token)}">\n'
            '    <input type="hidden" name="solution" value="">\n'
            f'    <p class="sc-notice mt-3" id="challenge-status" role="status">{_e(MSG_CHALLENGE)}</p>\n'
            f'    <noscript><p class="alert alert-warning">{_e(MSG_CHALLENGE_NOSCRIPT)}</p></noscript>\n'
            f"    <script>{CHALLENGE_SCRIPT}</script>"
        )
    content = QUERY.substitute(
        action=_e(action),
        notice="\n".join(notices),
        challenge_attributes=challenge_attributes,
        challenge_fields=challenge_fields,
        results=_results(results),
        **fields,
    )
    return layout(config, title="证书查询", content=content)


def _results(results: list[dict] | None) -> str:
    if results is None:
        return ""
    if not results:
        return RESULTS.substitute(body=f'  <p class="mb-0" data-empty="1">{_e(MSG_NO_RESULT)}</p>')
    return RESULTS.substitute(body="\n".join(facts(record) for record in results))


def certificate_page(config: VerificationConfig, *, record: dict, token: str) -> str:
    content = CERTIFICATE.substitute(
        facts=facts(record), credential_url=_e(config.credential_url.format(token=token))
    )
    return layout(config, title="证书核验", content=content)


def not_found_page(config: VerificationConfig) -> str:
    return layout(config, title="页面不存在", content=NOT_FOUND.substitute(home_url=_e(config.home_url)))

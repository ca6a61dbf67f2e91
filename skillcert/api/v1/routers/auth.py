"""``/api/v1/auth``: exchange credentials for a bearer token; list and revoke one's own tokens."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from skillcert.accounts.authentication import (
    LoginRefused,
    login_check_password,
    login_check_second_factor,
    second_factor_required,
)
from skillcert.accounts.tokens import (
    ApiTokenNotAllowed,
    api_token_create,
    api_token_list,
    api_token_revoke,
)
from skillcert.api.v1.auth import TokenAuth, api_user
from skillcert.api.v1.integers import DatabaseId
from skillcert.api.v1.problems import ChallengeProblemOut, FieldError, Problem, problem_responses

router = Router(tags=["auth"])

# ApiToken.Scope's values, spelled out so that the OpenAPI document lists them (a test keeps them equal).
TokenScope = Literal["read", "read_write"]
SCOPE_DESCRIPTION = (
    "令牌权限：read 只读（只能调用 GET 接口）；read_write 读写（可执行本账号有权进行的全部操作）"
)


class TokenCreateIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)
    otp_code: str | None = Field(
        default=None, max_length=16, description="动态验证码（需要双因素认证的账号必填）"
    )
    name: str | None = Field(default=None, max_length=60, description="令牌名称，便于识别用途")
    # An account that has failed to sign in too often from all clients needs a proof of work first: a 428
    # answer carries the challenge, and the request is sent again with it and its solution.
    challenge: str | None = Field(default=None, max_length=200, description="428 应答中的挑战令牌")
    solution: str | None = Field(default=None, max_length=32, description="挑战的解")
    # Least privilege: a client that needs to write asks for it.
    scope: TokenScope = Field(default="read", description=SCOPE_DESCRIPTION + "。默认只读")


class TokenCreateOut(Schema):
    id: int
    name: str
    scope: TokenScope = Field(description=SCOPE_DESCRIPTION)
    token: str = Field(description="令牌明文，仅此一次返回，请妥善保存")
    expires_at: datetime


class TokenItemOut(Schema):
    id: int
    name: str
    scope: TokenScope = Field(description=SCOPE_DESCRIPTION)
    key_prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenListOut(Schema):
    count: int
    items: list[TokenItemOut]


@router.post(
    "/token",
    auth=None,
    response={201: TokenCreateOut, 428: ChallengeProblemOut, **problem_responses(401, 403, 422, 429)},
    url_name="auth_token_create",
    operation_id="auth_token_create",
    summary="以用户名和密码换取接口令牌",
    description=(
        "校验用户名、密码（需要双因素认证的账号还须提供动态验证码），签发一个接口令牌。令牌明文只返回这一次。"
        "令牌默认只读（scope=read），只读令牌调用 GET 以外的接口一律返回 403；"
        "需要写入时请指定 scope=read_write。"
        "同一来源对同一账号多次失败后暂时拒绝（429）；账号从各来源累计失败过多时，"
        "须先完成工作量证明（428，应答中给出 challenge 和 bits：求 solution 使 "
        'SHA-256(challenge + ":" + solution) 开头有 bits 个 0 位，连同 challenge、solution 重新提交）。'
    ),
)
def create_token(request: HttpRequest, response: HttpResponse, data: TokenCreateIn):
    """Checks the password (and the TOTP code where the account needs one), then issues a token."""
    # The key is in the body: no proxy or browser may keep a copy.
    response["Cache-Control"] = "no-store"
    context = request.context  # type: ignore[attr-defined]
    try:
        user = login_check_password(
            username=data.username,
            password=data.password,
            challenge=data.challenge or "",
            solution=data.solution or "",
            context=context,
        )
        if second_factor_required(user):
            if not data.otp_code:
                raise Problem(
                    status=401,
                    detail=_("该账号需要双因素认证，请同时提供动态验证码。"),
                    errors=[FieldError("otp_code", _("必须填写动态验证码。"))],
                )
            login_check_second_factor(user=user, code=data.otp_code, context=context)
    except LoginRefused as refused:
        raise _token_refused(refused, challenge_sent=bool(data.challenge)) from None
    try:
        token, key = api_token_create(
            user=user, name=data.name or _("接口令牌"), scope=data.scope, actor=user, context=context
        )
    except ApiTokenNotAllowed as not_allowed:
        raise Problem(status=403, detail=not_allowed.message) from None
    return 201, {
        "id": token.pk,
        "name": token.name,
        "scope": token.scope,
        "token": key,
        "expires_at": token.expires_at,
    }


@router.get(
    "/tokens",
    auth=TokenAuth(),
    response={200: TokenListOut, **problem_responses(401)},
    url_name="auth_token_list",
    operation_id="auth_token_list",
    summary="列出本人的接口令牌",
    description="列出调用者本人的全部接口令牌（含已撤销和已过期的），只显示前缀，不含令牌明文。",
)
def list_tokens(request: HttpRequest):
    """The caller's own tokens, revoked and expired ones included."""
    tokens = list(api_token_list(user=api_user(request)))
    return 200, {"count": len(tokens), "items": tokens}


@router.delete(
    "/tokens/{token_id}",
    auth=TokenAuth(),
    response={204: None, **problem_responses(401, 403, 404, 409, 422)},
    url_name="auth_token_revoke",
    operation_id="auth_token_revoke",
    summary="撤销本人的一个接口令牌",
    description="立即撤销调用者本人的一个接口令牌；他人的令牌按不存在处理（404）。只读令牌不能撤销令牌（403）。",
)
def revoke_token(request: HttpRequest, token_id: DatabaseId):
    """Revokes one of the caller's tokens; another user's token answers 404."""
    user = api_user(request)
    token = get_object_or_404(api_token_list(user=user), pk=token_id)
    api_token_revoke(token=token, actor=user, context=request.context)  # type: ignore[attr-defined]
    return 204, None


def _token_refused(refused: LoginRefused, *, challenge_sent: bool) -> Problem:
    """A refused exchange as its problem: 428 with a proof of work to solve, 429 to try later, else 401. A
    wrong password on an account that needs a proof of work carries the next one, as the login page does."""
    challenge = refused.challenge.as_json() if refused.challenge is not None else {}
    if refused.reason == "challenge":
        if challenge_sent:
            detail = _("工作量证明未通过或已过期（每个挑战只能使用一次），请求解应答中的新挑战后重新提交。")
        else:
            detail = _(
                "该账号近期登录失败次数较多，须先完成工作量证明：求一个 solution，"
                '使 SHA-256(challenge + ":" + solution) 开头有 bits 个 0 位，'
                "再连同 challenge、solution 和密码重新提交。"
            )
        return Problem(status=428, detail=detail, extensions=challenge)
    if refused.reason in ("locked", "ip_throttled"):
        return Problem(status=429, detail=refused.message)
    return Problem(status=401, detail=refused.message, extensions=challenge)

"""The portal's navigation: which links a visitor sees, and who they are signed in as.

A link is shown only when its URL name exists (later issues add pages by adding URL names, and the
link appears by itself) and when the view behind it lets this visitor in: the check reads the access
that the view declared with ``public_view`` / ``login_required_view`` / ``role_required``, so the menu
and the permission decorators cannot disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from skillcert.accounts.roles import AUTHORITY_ROLES, BODY_ROLES, STAFF_ROLES, Role
from skillcert.reference.permissions import is_municipal_admin


def optional_reverse(name: str, *args: object) -> str | None:
    """The URL for ``name``, or None while no page of that name exists yet."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None


class Audience(Enum):
    EVERYONE = "everyone"
    ANONYMOUS = "anonymous"  # sign-in and registration: pointless once signed in
    SIGNED_IN = "signed_in"


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str | Promise
    url_name: str
    audience: Audience = Audience.EVERYONE
    # Narrows the menu further than the view's own access, for a page whose view lets a role in but
    # then refuses part of it (the calendar: every authority admin passes the decorator, only the
    # municipal one may use the page). None: no narrowing.
    condition: Callable[[Any], bool] | None = None


# The main menu, in display order. Names that do not resolve yet are skipped.
MAIN_MENU: tuple[NavItem, ...] = (
    NavItem(_("首页"), "portal:home"),
    NavItem(_("工作台"), "portal:dashboard", Audience.SIGNED_IN),
    NavItem(_("证书查询"), "verification:query"),
    NavItem(_("评价机构名录"), "registry:directory"),
    NavItem(_("备案管理"), "registry:filing_list", Audience.SIGNED_IN),
    NavItem(_("机构管理"), "registry:body_list", Audience.SIGNED_IN),
    NavItem(_("评价规范"), "evaluation:spec_list", Audience.SIGNED_IN),
    NavItem(_("评价计划"), "evaluation:plan_list", Audience.SIGNED_IN),
    NavItem(_("证书管理"), "certificates:list", Audience.SIGNED_IN),
    NavItem(
        _("我的证书"), "certificates:mine", Audience.SIGNED_IN, lambda user: user.has_role(Role.CANDIDATE)
    ),
    NavItem(_("职业目录"), "reference:occupations"),
    NavItem(_("技能等级"), "reference:skill_levels"),
    NavItem(_("等级范围"), "reference:level_ranges", Audience.SIGNED_IN),
    NavItem(_("登录异常账户"), "accounts:login_alerts", Audience.SIGNED_IN),
    NavItem(_("工作日历"), "reference:calendar", Audience.SIGNED_IN, is_municipal_admin),
    NavItem(_("查询告警"), "verification:alert_list", Audience.SIGNED_IN, is_municipal_admin),
)

# The signed-in user's own menu.
ACCOUNT_MENU: tuple[NavItem, ...] = (
    NavItem(_("个人信息"), "accounts:profile", Audience.SIGNED_IN),
    NavItem(_("双因素认证"), "accounts:two_factor", Audience.SIGNED_IN),
    NavItem(
        _("接口令牌"), "accounts:tokens", Audience.SIGNED_IN, lambda user: bool(user.role_set & STAFF_ROLES)
    ),
    NavItem(_("修改密码"), "accounts:password_change", Audience.SIGNED_IN),
)

ANONYMOUS_MENU: tuple[NavItem, ...] = (
    NavItem(_("登录"), "accounts:login", Audience.ANONYMOUS),
    NavItem(_("考生注册"), "accounts:register", Audience.ANONYMOUS),
    NavItem(_("机构备案申请"), "registry:register", Audience.ANONYMOUS),
)


@dataclass(frozen=True, slots=True)
class NavLink:
    label: str | Promise
    url: str
    active: bool


def _view_allows(url: str, user) -> bool:
    try:
        match = resolve(url)
    except Resolver404:
        return False
    access = getattr(match.func, "access", None)
    # A view without a declared access is a bug the permission test reports; never link to it.
    return access is not None and access.allows(user)


def _visible(item: NavItem, user) -> bool:
    signed_in = user.is_authenticated
    if item.audience is Audience.ANONYMOUS and signed_in:
        return False
    if item.audience is Audience.SIGNED_IN and not signed_in:
        return False
    return item.condition is None or item.condition(user)


def allowed_url(name: str, user) -> str | None:
    """The URL for ``name`` if that page exists and its view lets ``user`` in; otherwise None."""
    url = optional_reverse(name)
    return url if url is not None and _view_allows(url, user) else None


def menu_links(*, items: tuple[NavItem, ...], user, current_path: str) -> list[NavLink]:
    """The items of ``items`` that exist and that ``user`` may open, with the current page marked."""
    links = []
    for item in items:
        if not _visible(item, user):
            continue
        url = allowed_url(item.url_name, user)
        if url is None:
            continue
        links.append(NavLink(label=item.label, url=url, active=current_path == url))
    return links


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    roles: str  # "备案审核员、督导员"
    scope: str  # "浦东新区", a body's name, or "" for candidates

    @property
    def summary(self) -> str:
        return f"{self.scope} · {self.roles}" if self.scope else self.roles


def _role_labels(user) -> str:
    # Role order follows the Role enum, so a person's roles always read the same way.
    labels = [str(role.label) for role in Role if role.value in user.role_set]
    return "、".join(labels) if labels else str(_("未分配角色"))


def user_identity(user) -> Identity:
    """Who the signed-in user is, in words: name, roles and the region or body they act for."""
    scope = ""
    if user.role_set & AUTHORITY_ROLES and user.authority_region_id:
        scope = user.authority_region.name
    elif user.role_set & BODY_ROLES and user.body_id:
        scope = user.body.name
    return Identity(name=user.full_name or user.username, roles=_role_labels(user), scope=scope)


def navigation_context(request: HttpRequest) -> dict:
    """Everything ``base.html`` needs to draw the header for this request."""
    # Requests built without the middleware (RequestFactory, some error pages) have no user.
    user = getattr(request, "user", None) or AnonymousUser()
    path = request.path
    context: dict = {
        "nav_main": menu_links(items=MAIN_MENU, user=user, current_path=path),
        "nav_home_url": optional_reverse("portal:home") or "/",
        "nav_logout_url": None,
        "nav_identity": None,
        "nav_account": [],
        "nav_anonymous": [],
    }
    if user.is_authenticated:
        context["nav_identity"] = user_identity(user)
        context["nav_account"] = menu_links(items=ACCOUNT_MENU, user=user, current_path=path)
        context["nav_logout_url"] = optional_reverse("accounts:logout")
    else:
        context["nav_anonymous"] = menu_links(items=ANONYMOUS_MENU, user=user, current_path=path)
    return context

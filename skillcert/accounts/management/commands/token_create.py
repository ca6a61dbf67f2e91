"""``skillcert token create USERNAME NAME [--scope read_write]``: issue an API token, print its key once.

The token is read-only unless ``--scope read_write`` is given (least privilege, as in the portal and API).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.accounts.models import ApiToken, User
from skillcert.accounts.tokens import api_token_create
from skillcert.core.errors import ApplicationError


class Command(BaseCommand):
    help = "为用户创建一个接口令牌，令牌明文只输出这一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="令牌所属用户的用户名")
        parser.add_argument("name", help="令牌名称（用途），例如“考务系统对接”")
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.READ,
            help="令牌权限：read 只读（默认），read_write 读写",
        )

    def handle(self, *args, username: str, name: str, scope: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户 %(username)s 不存在。") % {"username": username})
        try:
            token, key = api_token_create(
                user=user, name=name, scope=scope, actor=None, actor_label="command:token_create"
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        # The key alone goes to stdout so that scripts can capture it; the notice goes to stderr.
        notice = _("已为用户 %(username)s 创建%(scope)s接口令牌“%(name)s”，到期时间 %(expires)s。") % {
            "username": user.username,
            "scope": token.get_scope_display(),
            "name": token.name,
            "expires": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M"),
        }
        self.stderr.write(notice + _("令牌明文只显示这一次，请立即妥善保存："))
        self.stdout.write(key)

"""``skillcert addstatictoken USERNAME [-t CODE]``: issue one recovery code, print it once.

For an operator helping someone who lost their phone: the code replaces the authenticator's code at the
sign-in once, after which they can bind a new authenticator. It takes the name of django-otp's command
(skillcert.accounts comes before django_otp in INSTALLED_APPS, so this one wins) because that one stores
the code in plain text, where the sign-in, which compares hashes, never finds it, and audits nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from skillcert.accounts.models import User
from skillcert.accounts.two_factor import recovery_code_issue, recovery_codes_remaining
from skillcert.core.errors import ApplicationError

ACTOR_LABEL = "command:addstatictoken"


class Command(BaseCommand):
    help = "为已绑定认证器的用户添加一个恢复码（例如手机丢失时），恢复码明文只输出这一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="恢复码所属用户的用户名")
        parser.add_argument(
            "-t",
            "--token",
            dest="token",
            metavar="CODE",
            help="指定恢复码（10 个字符，可带短横线）；不指定则随机生成",
        )

    def handle(self, *args, username: str, token: str | None, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户 %(username)s 不存在。") % {"username": username})
        try:
            code = recovery_code_issue(user=user, code=token, actor=None, actor_label=ACTOR_LABEL)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        # The code alone goes to stdout so that scripts can capture it; the notice goes to stderr.
        notice = _("已为用户 %(username)s 添加一个恢复码（现有 %(remaining)d 个未使用）。") % {
            "username": user.username,
            "remaining": recovery_codes_remaining(user=user),
        }
        self.stderr.write(notice + _("恢复码只显示这一次，仅能使用一次，请当面交给本人："))
        self.stdout.write(code)

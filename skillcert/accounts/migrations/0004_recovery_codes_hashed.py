"""Replace every recovery code stored in plain text by its hash, so that existing codes keep working.

Before this migration ``StaticToken.token`` held the code itself (10 characters of the recovery
alphabet; ``manage.py addstatictoken`` makes 8 base32 characters). Afterwards it holds
``skillcert.accounts.two_factor.recovery_code_hash`` of the code, 16 URL-safe base64 characters, which is
what the sign-in step now looks up. A row that already has that shape is taken as hashed and left alone
(running this twice changes nothing; a hand-made plain token of exactly that shape would stay as it is
and no longer be accepted); every other row is hashed.

The hash is imported from the application rather than copied here on purpose: it must be exactly the
function the running code checks against, with the iteration count configured for this installation.

It costs one hash (about 35 ms at the default iteration count) per unused code, ten codes per user with
an authenticator: about 35 s per hundred such users.

Reverse: a no-op, because a hash cannot be turned back into its code. The rows stay hashed, so code
from before this migration (which compares plain text) refuses every recovery code until its user
binds the authenticator again and gets new codes.
"""

from django.db import migrations

BATCH = 500


def hash_plain_recovery_codes(apps, schema_editor):
    from skillcert.accounts.two_factor import recovery_code_hash, recovery_code_is_hashed

    StaticToken = apps.get_model("otp_static", "StaticToken")
    plain = [
        row
        for row in StaticToken.objects.order_by("pk").values_list("pk", "token", "device__user_id")
        if not recovery_code_is_hashed(row[1])
    ]
    for start in range(0, len(plain), BATCH):
        StaticToken.objects.bulk_update(
            [
                StaticToken(pk=pk, token=recovery_code_hash(code=token, user_id=user_id))
                for pk, token, user_id in plain[start : start + BATCH]
            ],
            ["token"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_loginfailure_time_index"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(hash_plain_recovery_codes, migrations.RunPython.noop, elidable=False),
    ]

"""Give every candidate a claim nonce, the random part of its claim code (skillcert.accounts.claim_codes).

``AddField`` evaluates a callable default once and writes that one value into every existing row, so the
rows are then given a nonce each: with the same nonce two candidates' codes would still differ (the
primary key is part of the message), but a nonce per row is what the design promises. Rows are updated
in primary-key batches, so a large table is not held in memory.

Reverse: removing the column drops the nonces; codes printed before cannot be recomputed afterwards.
"""

import secrets

from django.db import migrations, models

import skillcert.accounts.models

BATCH_SIZE = 1000


def give_each_candidate_a_nonce(apps, schema_editor):
    Candidate = apps.get_model("accounts", "Candidate")
    last_pk = 0
    while True:
        batch = list(Candidate.objects.filter(pk__gt=last_pk).order_by("pk").only("pk")[:BATCH_SIZE])
        if not batch:
            return
        for candidate in batch:
            candidate.claim_nonce = secrets.token_hex(16)
        Candidate.objects.bulk_update(batch, ["claim_nonce"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_apitoken_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="claim_nonce",
            field=models.CharField(
                default=skillcert.accounts.models.candidate_claim_nonce_new,
                editable=False,
                max_length=32,
                verbose_name="认领码随机数",
            ),
        ),
        migrations.RunPython(give_each_candidate_a_nonce, migrations.RunPython.noop, elidable=True),
    ]

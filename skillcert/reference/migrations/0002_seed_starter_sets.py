"""Load the built-in starter sets (skill levels, provinces and Shanghai's districts, common occupations).

Runs the same loader as ``reference_seed()`` with the historical models, so every database (test
databases included) starts with them. It writes no audit event: the audit chain starts with the first
real change, and a row in every fresh database would shift every test's expectations.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from skillcert.reference.seeding import seed_starter_sets

    seed_starter_sets(
        skill_level_model=apps.get_model("reference", "SkillLevel"),
        region_model=apps.get_model("reference", "Region"),
        occupation_model=apps.get_model("reference", "Occupation"),
        job_type_model=apps.get_model("reference", "JobType"),
    )


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    # Reversing keeps the rows: bodies and users may already refer to the regions.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Load the documented level ranges (婴幼儿发展引导员 四级–一级; the four 焊工 job types).

Only for occupations and job types present in the database; like 0002, it writes no audit event.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from skillcert.reference.seeding import seed_level_ranges

    seed_level_ranges(
        occupation_model=apps.get_model("reference", "Occupation"),
        job_type_model=apps.get_model("reference", "JobType"),
        level_range_model=apps.get_model("reference", "LevelRange"),
    )


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_level_range")]
    # Reversing keeps the rows; reversing 0003 drops the table.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

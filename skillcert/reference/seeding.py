"""Load the starter sets of ``skillcert.reference.data.starter`` into the reference tables.

The model classes are parameters so that the data migration can pass its historical models and
``reference_seed()`` the current ones: one loader, every database seeded the same way.
"""

from dataclasses import dataclass
from typing import Any

from skillcert.reference.data import starter


@dataclass(frozen=True, slots=True)
class SeedCounts:
    skill_levels: int
    regions: int
    occupations: int
    job_types: int

    @property
    def total(self) -> int:
        return self.skill_levels + self.regions + self.occupations + self.job_types


def seed_starter_sets(
    *, skill_level_model: Any, region_model: Any, occupation_model: Any, job_type_model: Any
) -> SeedCounts:
    """Create the missing starter rows; existing rows (perhaps imported or edited) stay as they are."""
    have_levels = set(skill_level_model.objects.values_list("code", flat=True))
    levels = [
        skill_level_model(
            code=code, certificate_digit=digit, label=label, name=name, rank=rank, is_high_skill=high
        )
        for code, digit, label, name, rank, high in starter.SKILL_LEVELS
        if code not in have_levels
    ]
    skill_level_model.objects.bulk_create(levels)

    have_regions = set(region_model.objects.values_list("code", flat=True))
    regions = [
        region_model(code=code, name=name, level=level, in_use=True, established_year=year)
        for code, name, level, year in starter.REGIONS
        if code not in have_regions
    ]
    region_model.objects.bulk_create(regions)

    have_occupations = set(occupation_model.objects.values_list("code", flat=True))
    occupations = [
        occupation_model(
            code=code,
            name=name,
            is_green=green,
            is_digital=digital,
            small_code=small_code,
            small_name=small_name,
        )
        for code, name, green, digital, small_code, small_name, _job_types in starter.OCCUPATIONS
        if code not in have_occupations
    ]
    occupation_model.objects.bulk_create(occupations)

    # Job types need the occupations' primary keys, which bulk_create does not return on every database.
    wanted = {code: job_types for code, *_rest, job_types in starter.OCCUPATIONS if job_types}
    occupation_ids = dict(occupation_model.objects.filter(code__in=wanted).values_list("code", "pk"))
    have_job_types = set(
        job_type_model.objects.filter(occupation_id__in=occupation_ids.values()).values_list(
            "occupation_id", "name"
        )
    )
    job_types = [
        job_type_model(occupation_id=occupation_ids[code], name=name)
        for code, names in wanted.items()
        for name in names
        if (occupation_ids[code], name) not in have_job_types
    ]
    job_type_model.objects.bulk_create(job_types)
    return SeedCounts(len(levels), len(regions), len(occupations), len(job_types))


def seed_level_ranges(*, occupation_model: Any, job_type_model: Any, level_range_model: Any) -> int:
    """Create the starter level ranges whose occupation (and job type) exist and have no range yet.

    Not part of ``seed_starter_sets``: a range an administrator removed means "all five levels", a
    decision that re-seeding must not undo. Returns how many ranges were created.
    """
    occupation_ids = dict(
        occupation_model.objects.filter(code__in={code for code, *_rest in starter.LEVEL_RANGES}).values_list(
            "code", "pk"
        )
    )
    job_type_ids = {
        (occupation_id, name): pk
        for pk, occupation_id, name in job_type_model.objects.filter(
            occupation_id__in=occupation_ids.values()
        ).values_list("pk", "occupation_id", "name")
    }
    have = set(
        level_range_model.objects.filter(occupation_id__in=occupation_ids.values()).values_list(
            "occupation_id", "job_type_id"
        )
    )
    ranges = []
    for code, job_type_name, lowest, highest in starter.LEVEL_RANGES:
        occupation_id = occupation_ids.get(code)
        job_type_id = job_type_ids.get((occupation_id, job_type_name)) if job_type_name else None
        if occupation_id is None or (job_type_name and job_type_id is None):
            continue  # an occupation or job type this database does not carry: nothing to restrict
        if (occupation_id, job_type_id) in have:
            continue
        ranges.append(
            level_range_model(
                occupation_id=occupation_id, job_type_id=job_type_id, lowest_id=lowest, highest_id=highest
            )
        )
    level_range_model.objects.bulk_create(ranges)
    return len(ranges)

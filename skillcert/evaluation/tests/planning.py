"""Plans created through the service, as the plan tests need them (factories.make_plan skips the rules)."""

from skillcert.evaluation.services import SessionInput, plan_create
from skillcert.evaluation.tests.factories import default_first_session_at, make_spec, session_times


def sessions_for(spec, first_session_at=None) -> list[SessionInput]:
    return [
        SessionInput(component=component, starts_at=starts, ends_at=ends, room="A101")
        for component, starts, ends in session_times(spec, first_session_at or default_first_session_at())
    ]


def create(world, spec=None, *, actor=None, capacity=30, sessions=None, site=None):
    spec = spec or make_spec(world)
    return plan_create(
        body=spec.tenant,
        spec=spec,
        site=site or world.site_y,
        capacity=capacity,
        sessions=sessions if sessions is not None else sessions_for(spec),
        actor=actor or world.body_y_admin,
    )

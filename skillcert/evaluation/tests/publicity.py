"""Builders of plans in publicity, and the Shanghai clock their dates are read on; shared by the
publicity, report and 缺考 tests."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from skillcert.evaluation.models import EvaluationPlan
from skillcert.evaluation.services.publicity import plan_publicity_start
from skillcert.evaluation.tests.scoring import locked_plan

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 张三明 passes; 李四 fails theory.
TWO_CANDIDATES = {
    0: {"theory": ["80"], "skills": ["80", "80", "80"]},
    1: {"theory": ["40"], "skills": ["80", "80", "80"]},
}


def at(day: date, hour: int = 10):
    """Stop the clock at ``hour`` o'clock in Shanghai on ``day``."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


def published(world, *, on: date = date(2025, 9, 30)) -> EvaluationPlan:
    """A plan of TWO_CANDIDATES locked, and its publicity started ``on`` that day."""
    with at(on):
        plan = locked_plan(world, candidates=2, scores=TWO_CANDIDATES)
        return plan_publicity_start(plan=plan, actor=world.body_y_admin)

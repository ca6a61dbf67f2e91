"""Reads of the evaluation app, one module per stage; re-exported here explicitly."""

from skillcert.evaluation.selectors.applications import (
    application_list_for_candidate as application_list_for_candidate,
)
from skillcert.evaluation.selectors.applications import application_list_for_plan as application_list_for_plan
from skillcert.evaluation.selectors.applications import (
    plan_list_open_for_applications as plan_list_open_for_applications,
)
from skillcert.evaluation.selectors.applications import plan_places_left as plan_places_left
from skillcert.evaluation.selectors.plans import NextStep as NextStep
from skillcert.evaluation.selectors.plans import TimelineStage as TimelineStage
from skillcert.evaluation.selectors.plans import plan_first_session_date as plan_first_session_date
from skillcert.evaluation.selectors.plans import plan_get_for_user as plan_get_for_user
from skillcert.evaluation.selectors.plans import plan_list_for_user as plan_list_for_user
from skillcert.evaluation.selectors.plans import plan_next_steps as plan_next_steps
from skillcert.evaluation.selectors.plans import plan_submit_deadline as plan_submit_deadline
from skillcert.evaluation.selectors.plans import plan_timeline as plan_timeline
from skillcert.evaluation.selectors.plans import user_manages_plan as user_manages_plan
from skillcert.evaluation.selectors.plans import user_oversees_plan as user_oversees_plan
from skillcert.evaluation.selectors.specs import scope_covers as scope_covers
from skillcert.evaluation.selectors.specs import spec_get as spec_get
from skillcert.evaluation.selectors.specs import spec_list as spec_list
from skillcert.evaluation.selectors.specs import spec_scope_rows as spec_scope_rows
from skillcert.evaluation.selectors.staffing import StaffRequirement as StaffRequirement
from skillcert.evaluation.selectors.staffing import examiner_may_mark as examiner_may_mark
from skillcert.evaluation.selectors.staffing import plan_staffing as plan_staffing
from skillcert.evaluation.selectors.staffing import plan_staffing_problems as plan_staffing_problems

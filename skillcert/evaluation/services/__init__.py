"""Writes of the evaluation app, one module per stage; re-exported here explicitly."""

from skillcert.evaluation.services.application_import import ImportRejected as ImportRejected
from skillcert.evaluation.services.application_import import ImportResult as ImportResult
from skillcert.evaluation.services.application_import import application_import as application_import
from skillcert.evaluation.services.applications import application_register as application_register
from skillcert.evaluation.services.applications import application_submit as application_submit
from skillcert.evaluation.services.applications import application_withdraw as application_withdraw
from skillcert.evaluation.services.plans import SessionInput as SessionInput
from skillcert.evaluation.services.plans import plan_acknowledge as plan_acknowledge
from skillcert.evaluation.services.plans import (
    plan_assign_external_supervisor as plan_assign_external_supervisor,
)
from skillcert.evaluation.services.plans import plan_create as plan_create
from skillcert.evaluation.services.plans import plan_reject as plan_reject
from skillcert.evaluation.services.plans import plan_staff_assign as plan_staff_assign
from skillcert.evaluation.services.plans import plan_staff_remove as plan_staff_remove
from skillcert.evaluation.services.plans import plan_submit as plan_submit
from skillcert.evaluation.services.plans import plan_update as plan_update
from skillcert.evaluation.services.plans import recusal_declare as recusal_declare
from skillcert.evaluation.services.specs import spec_create as spec_create
from skillcert.evaluation.services.specs import spec_update as spec_update

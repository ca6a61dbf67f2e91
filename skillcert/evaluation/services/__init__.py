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
from skillcert.evaluation.services.plans import plan_submit as plan_submit
from skillcert.evaluation.services.plans import plan_update as plan_update
from skillcert.evaluation.services.publicity import objection_answer as objection_answer
from skillcert.evaluation.services.publicity import objection_lodge as objection_lodge
from skillcert.evaluation.services.publicity import plan_publicity_start as plan_publicity_start
from skillcert.evaluation.services.reports import result_report_approve as result_report_approve
from skillcert.evaluation.services.reports import result_report_return as result_report_return
from skillcert.evaluation.services.reports import result_report_submit as result_report_submit
from skillcert.evaluation.services.results import application_retake_prepare as application_retake_prepare
from skillcert.evaluation.services.results import plan_scores_lock as plan_scores_lock
from skillcert.evaluation.services.results import score_change_after_lock as score_change_after_lock
from skillcert.evaluation.services.score_import import score_import as score_import
from skillcert.evaluation.services.score_import import score_template_workbook as score_template_workbook
from skillcert.evaluation.services.scores import score_confirm as score_confirm
from skillcert.evaluation.services.scores import score_confirm_sheet as score_confirm_sheet
from skillcert.evaluation.services.scores import score_correct as score_correct
from skillcert.evaluation.services.scores import score_enter as score_enter
from skillcert.evaluation.services.scores import score_enter_sheet as score_enter_sheet
from skillcert.evaluation.services.scores import score_mark_clean as score_mark_clean
from skillcert.evaluation.services.scores import score_value_clean as score_value_clean
from skillcert.evaluation.services.specs import spec_create as spec_create
from skillcert.evaluation.services.specs import spec_update as spec_update
from skillcert.evaluation.services.staff import plan_staff_assign as plan_staff_assign
from skillcert.evaluation.services.staff import plan_staff_remove as plan_staff_remove
from skillcert.evaluation.services.staff import recusal_declare as recusal_declare

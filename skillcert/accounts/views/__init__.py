"""The accounts pages; each module's views are re-exported here for the URL configuration."""

from skillcert.accounts.views.account import password_change as password_change
from skillcert.accounts.views.account import profile as profile
from skillcert.accounts.views.account import register as register
from skillcert.accounts.views.account import two_factor as two_factor
from skillcert.accounts.views.admin import candidate_reveal_id as candidate_reveal_id
from skillcert.accounts.views.admin import login_alerts as login_alerts
from skillcert.accounts.views.admin import login_failures_clear_view as login_failures_clear_view
from skillcert.accounts.views.login import login_enrol as login_enrol
from skillcert.accounts.views.login import login_verify as login_verify
from skillcert.accounts.views.login import login_view as login_view
from skillcert.accounts.views.login import logout_view as logout_view

"""Writes of the credentials app: issuer keys, status list entries and bits, signed credentials."""

from skillcert.credentials.services.backfill import CredentialsBackfill as CredentialsBackfill
from skillcert.credentials.services.backfill import credentials_backfill as credentials_backfill
from skillcert.credentials.services.bundle import trust_bundle_export as trust_bundle_export
from skillcert.credentials.services.credential import credential_for_certificate as credential_for_certificate
from skillcert.credentials.services.credential import credential_sign as credential_sign
from skillcert.credentials.services.credential import (
    credentials_for_certificates as credentials_for_certificates,
)
from skillcert.credentials.services.keys import issuer_key_ensure as issuer_key_ensure
from skillcert.credentials.services.keys import platform_key_ensure as platform_key_ensure
from skillcert.credentials.services.rotation import issuer_key_rotate as issuer_key_rotate
from skillcert.credentials.services.status import credential_entries_allocate as credential_entries_allocate
from skillcert.credentials.services.status import credential_status_revoke as credential_status_revoke

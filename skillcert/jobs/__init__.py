"""Background jobs with progress, run in a thread of the web process (docs/decisions/0006)."""

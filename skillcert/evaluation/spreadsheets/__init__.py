"""Spreadsheets of the evaluation app: the application template (openpyxl, write) and a bounded,
sandboxed reader for uploaded workbooks (ZIP checks in the parent, python-calamine in a child process)."""

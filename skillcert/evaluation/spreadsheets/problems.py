"""The problems of a rejected import as a CSV file that opens in Excel (UTF-8 with BOM).

Cells that begin with =, +, -, @, TAB or CR get a leading "'" so that Excel never runs them as formulas
(security.md I6): messages quote what the uploader typed.
"""

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from skillcert.evaluation.spreadsheets.import_rows import ImportProblem

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def problems_csv(problems: Iterable[ImportProblem]) -> bytes:
    """行号, 列, 列名, 问题: one line per problem."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("行号"), _("列"), _("列名"), _("问题")])
    for problem in problems:
        writer.writerow(
            [
                _safe(problem.row or ""),
                _safe(problem.column or ""),
                _safe(problem.header),
                _safe(problem.message),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

"""One rule for text that lands in a spreadsheet or CSV cell: it never becomes a formula.

Excel, LibreOffice and most CSV readers treat a cell that begins with =, +, - or @ (or a
tab or carriage return before one) as a formula; openpyxl stores such a string as one.
Every writer of the project passes its cells through `safe_cell` (OWASP's advice: prefix
a single quote), so text from the data can never run in a reader's spreadsheet.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as it may be written: numbers unchanged, formula-like text prefixed with '."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) are safe to write to CSV or XLSX."""
    out = frame.copy()
    out.columns = [safe_cell(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell)
    return out

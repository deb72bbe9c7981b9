"""Which years can be report years: from the 条例's first year to the current one.

Used by the command line and the params file only: nothing else reads the clock to decide.
"""

from __future__ import annotations

import datetime as dt

# The 《政府信息公开条例》 took effect on 2008-05-01: no report year before it. The last is the
# current year (a draft of the year under way).
FIRST_YEAR = 2008


def last_year() -> int:
    return dt.date.today().year


def year_range_problem(year: int) -> str | None:
    """Why `year` cannot be a report year, or None."""
    if FIRST_YEAR <= year <= last_year():
        return None
    return (
        f"报告年度应在 {FIRST_YEAR} 年（《政府信息公开条例》施行）至 {last_year()} 年之间，"
        f"实际为 {year}"
    )

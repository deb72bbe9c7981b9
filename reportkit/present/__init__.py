"""The report as documents for people outside the kit: report.docx, tables.xlsx, a portal fragment."""

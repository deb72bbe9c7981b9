"""The content model and everything rendered from it: charts, HTML, report.docx, tables.xlsx, the portal fragment.

Imports contract, ingest, compute and checks; never the pipeline."""

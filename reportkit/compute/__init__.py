"""The report's figures from the ingested ledgers: the statutory tables, indicators, narrative, aggregates.

Pure: reads no file it is not given. Imports only contract and ingest."""

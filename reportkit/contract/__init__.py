"""The contract and the words every stage shares: official labels, the ledger schema, findings, errors, paths.

Imports nothing else from reportkit: it is the bottom of the pipeline."""

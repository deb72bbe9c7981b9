"""Reading what a user supplies into typed values: params, ledgers, agencies.yaml, tables.json, published reports.

Imports only reportkit.contract."""

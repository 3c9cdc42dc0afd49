"""Manual flags of the health authority (issue 16): propose, approve by another authority user, reject, withdraw;
each act appended to the ledger. The table and its evaluation are the rules' (rules/manual_models.py, status.py)."""

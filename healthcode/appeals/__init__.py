"""Appeals (申诉, issue 16): a resident contests one reason of his colour with a statement and optional evidence; the
health authority decides within a deadline: upheld makes corrections (rules/correction_models.py) that suppress the
contested source records for him, rejected gives him the authority's reason. Both ends are in the ledger."""

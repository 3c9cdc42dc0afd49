"""Value rules that depend on no domain: ID numbers, USCCs, phone numbers, temperatures, masking."""

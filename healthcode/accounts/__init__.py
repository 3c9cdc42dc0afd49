"""Accounts that sign in to the API and consoles: scanners and organisation admins (passwords, tokens, lockout)."""

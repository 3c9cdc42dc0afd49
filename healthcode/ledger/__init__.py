"""The accountability ledger (issue 16): an append-only, hash-chained record of every act that can change a resident's
colour or contest it — feed batches applied, manual flags proposed and approved, corrections, appeals and their
decisions, rule-set switches. Each entry carries the hash of the one before it, so `healthcode audit verify` finds the
first entry that was altered, removed or inserted out of turn.

Below every domain that writes to it (feeds, rules, residents, console): it imports only `db` and `clock`."""

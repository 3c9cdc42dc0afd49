"""Every colour traceable (issue 16): a resident's colours over the retention period with the rules that held and
the feed records behind each (`healthcode person history`), the sources of today's reasons for the citizen's
查看原因 page, and the health authority's 问责记录 page over the ledger.

Above `rules`, `feeds`, `ledger`, `checkpoints` and `codes` (it compares the computed colours with the colours
scans and issued codes recorded); `citizen`, `cli.py` and `app.py` use it."""

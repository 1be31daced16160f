"""The rule catalog and what a run is told: the rules and mapping tables loaded from the
`rules/` data (`loader`), the findings and per-file outcomes rendered through them
(`findings`), `[tool.migrate]` and rule selection (`config`), and the run-wide options the
rewrites read (`settings`)."""

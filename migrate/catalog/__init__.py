"""The rule catalog and what a run is told: the rules and mapping tables loaded from the
`rules/` data (`loader`), the findings and per-file outcomes rendered through them
(`findings`), `[tool.migrate]` and rule selection (`config`), the run-wide options the
rewrites read (`settings`), and the line length a file is formatted to (`linelength`)."""

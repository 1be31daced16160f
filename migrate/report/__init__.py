"""What a run prints: the unified diff, the text report and the JSON report (`text`), and the
machine formats for code scanning and pull requests (`formats`: SARIF, GitHub annotations,
Markdown)."""

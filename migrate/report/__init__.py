"""What a run prints: what every report counts (`summary`), the unified diffs (`diff`), the
human report (`text`, styled by `style`), one line per finding (`concise`), the JSON report
(`json_report`), and the formats for code scanning and pull requests (`sarif`, `github`,
`markdown`)."""

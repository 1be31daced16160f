"""The `migrate` command line (`app`): typer commands that parse options, hand work to
`migrate.run` or `migrate.verify`, and print through `migrate.report`."""

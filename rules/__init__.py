"""The rule catalog and the API mapping tables, as data (loaded by migrate.catalog.loader)."""

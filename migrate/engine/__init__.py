"""One file in, one result out: the `ast` gate that finds call sites cheaply (`gate`), the
per-file pipeline (`pipeline`: decode, parse, plan, generate, check), the planning and
application of a module's rewrites (`plan`), the code generated once per statement
(`codegen`), notebooks (`notebook`), modules planned together because results cross
between them (`units`), and the per-file time budget (`budget`)."""

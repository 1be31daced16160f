"""The rewrites: request arguments, message lists, and result reads (`results`, with what it
follows a value into: `choices` for the one choice, `helpers` for a function's parameter,
`generators` for the loops over a generator, `aliases` for a name that would only alias the
result, `attributes` for `self.<attr>`, `streams` for stream loops that use only the text);
laid out like the code around them (`layout`) and re-wrapped to the file's line length
(`wrap`)."""

"""The rewrites: request arguments, message lists, and result reads; laid out like the code
around them (`layout`) and re-wrapped to the file's line length (`wrap`)."""

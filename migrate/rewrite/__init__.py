"""The rewrites: request arguments, message lists, and result reads."""

"""Reading a parsed module: walking its tree without copies (`walk`), resolving its names
(`scopes`, our own scope analysis on LibCST's public API), which calls are Chat Completions
call sites and whether their receiver is an OpenAI client (`call_sites`, with `routes`: how
else a server reaches a client), the strings and shapes values are proven to hold
(`constants`, `shapes`, `nones`: where a None would show), where the messages of a list
built outside the call come from (`messages`), test files that pin the chat wire
format (`wire_tests`, `test_files`), what the tree's nodes say (`nodes`), what a run knows of
results that cross modules (`links`), and connected groups (`groups`). Nothing here changes a
tree; the rewrites live in `migrate.rewrite`."""

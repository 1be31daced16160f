"""Reading a parsed module: which calls are Chat Completions call sites and whether their
receiver is an OpenAI client (`call_sites`), what the tree's nodes say (`nodes`), what a run
knows of results that cross modules (`links`), and connected groups (`groups`). Nothing here
changes a tree; the rewrites live in `migrate.rewrite`."""

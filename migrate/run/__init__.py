"""Running the engine over a tree: finding the files (`discovery`) and the rest of their project
that may import them (`project`), reading and writing files safely (`fileio`), what the engine
is given to do (`tasks`: a file, or a unit of files), the worker processes that survive their
workers' deaths (`workers`, driven by `pool`), the journal that makes a unit's write survivable
(`journal`), the progress bar (`progress`), and the run itself (`tree`: discover, migrate,
write, report in order)."""

"""Running the engine over a tree: finding the files (`discovery`), reading and writing them
safely (`fileio`), what the engine is given to do (`tasks`: a file, or a unit of files),
the worker processes (`pool`), the progress bar (`progress`), and the run itself (`tree`:
discover, migrate, write, report in order)."""

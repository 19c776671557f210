"""Many computer-played runs: recipes, backends (in process, process pool, Dask), tallies."""

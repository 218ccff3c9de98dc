"""The evaluation engine: the analysis plan, outcome definitions, panels over the lake, and the run."""

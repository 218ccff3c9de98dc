"""The evaluator's workspace: pseudonymised extracts, analysis plans (pre-registered by locking),
runs of the evaluation engine as background jobs, results and reports. Reads pseudonymised data only."""

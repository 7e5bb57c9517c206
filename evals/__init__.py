"""Evals: score the planning engine on simulated worlds with known truth and public datasets.

`evals.simulator` simulates advertisers whose true response is known and `evals.oracle`
finds the best plan under it; `evals.scenarios` fixes the `smoke` and `full` suites,
`evals.baselines` the planners without a model, `evals.scoring` the per-plan scorers,
`evals.runner` runs a suite in worker processes, `evals.metrics` aggregates it against
the issue's targets, `evals.public` plans the public datasets, `evals.report` writes the
report, `evals.gate` is the CI gate and `evals.cli` the `mediaplan eval` command.
Submodules are imported on demand; importing `evals` itself is cheap.
"""

"""Public MMM datasets: ROAS recovery and regret where the truth is known, fit and stability
where it is not (see `evals.public.runner`)."""

from evals.public.runner import (
    PublicPlan,
    PublicReport,
    plan_json,
    run_public,
    summarize_public,
)

__all__ = ["PublicPlan", "PublicReport", "plan_json", "run_public", "summarize_public"]

"""Demo data steps, run in order by `tuijin load_demo`. Each app adds its loader here; each must be idempotent."""

from django.utils.module_loading import import_string

__all__ = ["DEMO_STEPS", "run_demo_steps"]

DEMO_STEPS = [
    "tuijin.org.demo.load_org",
    "tuijin.users.demo.load_accounts",
    "tuijin.projects.demo.load_projects",
    "tuijin.progress.demo.load_reports",
    "tuijin.dispatch.demo.load_lights",
    "tuijin.tickets.demo.load_tickets",
    "tuijin.investment.demo.load_leads",
    "tuijin.investment.demo_signing.load_signings",
    "tuijin.investment.demo_ledger.load_ledger",
    "tuijin.investment.demo_cases.load_cases",
    "tuijin.funds.demo.load_funds",
    "tuijin.supervision.demo.load_supervision",
    "tuijin.chains.demo.load_chains",
    "tuijin.benchmarks.demo.load_benchmarks",
    "tuijin.assessment.demo.load_assessment",
]


def run_demo_steps(stdout) -> dict:
    context: dict = {}
    for dotted in DEMO_STEPS:
        import_string(dotted)(context, stdout)
    return context

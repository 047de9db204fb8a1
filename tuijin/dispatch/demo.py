"""Demo step: the warning lights of every demo month, evaluated from the facts the reports produced."""

from .warnings import evaluate_period

__all__ = ["load_lights"]


def load_lights(context, stdout) -> None:
    months = context.get("demo_months") or []
    for period in months:
        evaluate_period(period)
    if months:
        stdout.write(f"预警灯：已评估 {len(months)} 个月。")

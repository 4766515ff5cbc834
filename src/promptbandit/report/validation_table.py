"""The table `promptbandit validate` prints, built from a validation report (no I/O)."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def _ci(ci: list[float] | None) -> str:
    return "-" if not ci else f"[{ci[0]:.2f}, {ci[1]:.2f}]"


def validation_table(report: dict[str, Any]) -> Table:
    """One row per tested arm plus the baseline: mean with interval, paired difference, p-values, verdict."""
    table = Table(title=f"held-out check on {report['items']} {report['split']} items (paired)", title_justify="left")
    for column, justify in (("arm", "left"), ("mean", "right"), ("95% interval", "right"), ("diff vs none", "right"),
                            ("95% bootstrap", "right"), ("+/-", "right"), ("p", "right"), ("p Holm", "right"),
                            ("verdict", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in report["arms"]:
        mean = "-" if row["mean"] is None else f"{row['mean']:.3f}"
        table.add_row(row["name"], mean, _ci(row["ci95"]), f"{row['difference']:+.3f}", _ci(row["difference_ci95"]),
                      f"{row['arm_better']}/{row['baseline_better']}", f"{row['p_value']:.3g}",
                      f"{row['p_holm']:.3g}", row["verdict"])
    base = report["baseline"]
    table.add_row("no prefix (baseline)", "-" if base["mean"] is None else f"{base['mean']:.3f}", _ci(base["ci95"]),
                  "", "", "", "", "", "")
    return table

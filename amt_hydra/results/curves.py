"""The report's charts over time: learning curves (objective per step) and the timeline of jobs by slot.

Stopped jobs (early stopping, Hyperband, MaxRuntime) end in an ×, failed ones in red; the timeline colours
each job by the instance type it actually ran on, so instance fallbacks stand out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from amt_hydra.results.figures import BEST, STATUS_COLORS, figure, to_svg, value_scale
from amt_hydra.results.jobs import when

INSTANCE_COLORS = ("#1f77b4", "#9467bd", "#17becf", "#bcbd22", "#8c564b", "#e377c2")


def learning_curves(jobs: list[dict[str, Any]], best_name: str | None, metric: str) -> str:
    fig, ax = figure()
    for job in jobs:
        values = job.get("ObjectiveValues") or []
        if not values:
            continue
        steps = range(1, len(values) + 1)
        status = job["TrainingJobStatus"]
        is_best = job["TrainingJobName"] == best_name
        ax.plot(steps, values, color="black" if is_best else STATUS_COLORS.get(status, "#7f7f7f"),
                linewidth=2.2 if is_best else 1.0, alpha=1.0 if is_best else 0.7,
                linestyle="--" if status == "Stopped" else "-", marker="o", markersize=2.5)
        if status == "Stopped":
            ax.scatter([len(values)], [values[-1]], marker="x", s=60, color=STATUS_COLORS["Stopped"], zorder=4)
        if is_best:
            ax.scatter([len(values)], [values[-1]], **BEST)
    value_scale(ax, [v for job in jobs for v in job.get("ObjectiveValues") or [] if v == v])
    _legend(ax)
    ax.set_xlabel("objective emission (step)")
    ax.set_ylabel(metric)
    ax.set_title("Learning curves")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return to_svg(fig)


def _legend(ax: Any) -> None:
    from matplotlib.lines import Line2D

    ax.legend(handles=[
        Line2D([], [], color=STATUS_COLORS["Completed"], label="completed"),
        Line2D([], [], color=STATUS_COLORS["Stopped"], linestyle="--", marker="x", label="stopped (early)"),
        Line2D([], [], color=STATUS_COLORS["Failed"], label="failed"),
        Line2D([], [], color="black", linewidth=2.2, label="best job"),
    ], fontsize=8, frameon=False)


def slots(jobs: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(slot, job) with each job in the lowest slot free at its creation: the parallel lanes of the job."""
    free_at: list[datetime] = []
    out = []
    for job in sorted(jobs, key=lambda j: when(j.get("CreationTime")) or datetime.max):
        start = when(job.get("CreationTime"))
        end = when(job.get("TrainingEndTime")) or when(job.get("LastModifiedTime")) or start
        if start is None:
            continue
        slot = next((i for i, t in enumerate(free_at) if t <= start), len(free_at))
        free_at[slot:slot + 1] = [end]
        out.append((slot, job))
    return out


def timeline(jobs: list[dict[str, Any]], preferred: str | None) -> str:
    """Each job from creation (light: waiting, provisioning) through training (solid) to its end."""
    placed = slots(jobs)
    origin = min(when(j.get("CreationTime")) for _, j in placed)
    types = sorted({str(j.get("InstanceType")) for _, j in placed}, key=lambda t: (t != preferred, t))
    colors = {t: INSTANCE_COLORS[i % len(INSTANCE_COLORS)] for i, t in enumerate(types)}
    fig, ax = figure(9.0, 0.9 + 0.45 * (1 + max(s for s, _ in placed)))
    for slot, job in placed:
        _bar(ax, slot, job, origin, colors[str(job.get("InstanceType"))])
    ax.set_yticks(range(1 + max(s for s, _ in placed)), [f"slot {s + 1}" for s in range(1 + max(s for s, _ in placed))])
    ax.invert_yaxis()
    ax.set_xlabel("seconds since the first training job was created")
    ax.set_title("Timeline of training jobs (colour: instance type; red edge: failed; hatched: stopped)")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=t + (" (fallback)" if preferred and t != preferred else ""))
                       for t, c in colors.items()], fontsize=8, frameon=False, loc="upper left",
              bbox_to_anchor=(1.0, 1.0))
    return to_svg(fig)


def _bar(ax: Any, slot: int, job: dict[str, Any], origin: datetime, color: str) -> None:
    created = (when(job["CreationTime"]) - origin).total_seconds()
    start = when(job.get("TrainingStartTime"))
    end = when(job.get("TrainingEndTime")) or when(job.get("LastModifiedTime"))
    started = (start - origin).total_seconds() if start else created
    ended = (end - origin).total_seconds() if end else started
    ax.barh(slot, started - created, left=created, height=0.6, color=color, alpha=0.3)
    status = job["TrainingJobStatus"]
    ax.barh(slot, max(ended - started, 0.01), left=started, height=0.6, color=color,
            edgecolor=STATUS_COLORS["Failed"] if status == "Failed" else "white",
            linewidth=2 if status == "Failed" else 0.5, hatch="//" if status == "Stopped" else None)
    number = job["TrainingJobName"].rsplit("-", 2)[-2] if job["TrainingJobName"].count("-") >= 2 else ""
    ax.text((created + ended) / 2, slot, number.lstrip("0") or number, ha="center", va="center", fontsize=7,
            color="white" if ended - started > 0 else "black")

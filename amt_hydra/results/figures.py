"""The report's charts about values: optimization history, one slice per hyperparameter, importance and
parallel coordinates, drawn with matplotlib and returned as inline SVG (text kept as text: small, offline).

Every chart marks the best training job (a star) and colours jobs by how they ended, the same in every chart.
"""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

from amt_hydra.results.jobs import objective
from amt_hydra.results.space import Param

STATUS_COLORS = {"Completed": "#1f77b4", "Stopped": "#ff7f0e", "Failed": "#d62728", "InProgress": "#7f7f7f"}
_FIGURE_IDS = itertools.count(1)
BEST = {"marker": "*", "s": 220, "color": "#ffd700", "edgecolors": "black", "linewidths": 0.8, "zorder": 5}


def figure(width: float = 6.4, height: float = 3.4) -> tuple[Any, Any]:
    """A pyplot-free figure (no global state, no display) with one axes, styled for the report."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.grid(True, which="major", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def to_svg(fig: Any) -> str:
    """The figure as an `<svg>` element; fonts stay text (the browser's sans-serif), ids made unique."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "amt-hydra", "font.size": 9}):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)  # RDF, date
    prefix = f"f{next(_FIGURE_IDS)}-"
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    return re.sub(r'(href="|url\()#([^")]+)', lambda m: f"{m.group(1)}#{prefix}{m.group(2)}", text)


def value_scale(ax: Any, values: list[float]) -> None:
    """A log y axis when positive objectives span more than a decade (stopped outliers squash the rest)."""
    if values and min(values) > 0 and max(values) / min(values) >= 10:
        from matplotlib.ticker import FuncFormatter

        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if f"{v:g}".lstrip("0.")[0] in "2345" else ""))


def _status_legend(ax: Any, statuses: set[str], best_so_far: bool = False) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color="#2ca02c", linewidth=1.8, label="best so far")] if best_so_far else []
    handles += [Line2D([], [], marker="o", linestyle="", color=STATUS_COLORS[s], label=s.lower())
               for s in STATUS_COLORS if s in statuses]
    handles.append(Line2D([], [], marker="*", linestyle="", markersize=12, color=BEST["color"],
                          markeredgecolor="black", label="best job"))
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="best")


def history(jobs: list[dict[str, Any]], best_name: str | None, maximize: bool, metric: str) -> str:
    """Every job's objective in creation order, the best-so-far line, failures as ticks on the axis."""
    fig, ax = figure()
    xs, ys, best_line = [], [], []
    for i, job in enumerate(jobs, start=1):
        value = objective(job)
        if value is None:
            ax.axvline(i, color=STATUS_COLORS["Failed"], alpha=0.25, linewidth=4)
            continue
        xs.append(i)
        ys.append(value)
        best_line.append(value if not best_line else (max if maximize else min)(best_line[-1], value))
        ax.scatter([i], [value], color=STATUS_COLORS.get(job["TrainingJobStatus"], "#7f7f7f"), s=28, zorder=3)
        if job["TrainingJobName"] == best_name:
            ax.scatter([i], [value], **BEST)
    value_scale(ax, ys)
    if xs:
        ax.step(xs, best_line, where="post", color="#2ca02c", linewidth=1.8)
    ax.set_xlabel("training job (creation order; red bands: no objective)")
    ax.set_ylabel(metric)
    ax.set_title("Optimization history")
    ax.xaxis.get_major_locator().set_params(integer=True)
    _status_legend(ax, {j["TrainingJobStatus"] for j in jobs}, best_so_far=True)
    return to_svg(fig)


def slice_plot(param: Param, jobs: list[dict[str, Any]], best_name: str | None, metric: str) -> str:
    return to_svg(slice_figure(param, jobs, best_name, metric))


def slice_figure(param: Param, jobs: list[dict[str, Any]], best_name: str | None, metric: str) -> Any:
    """Objective against one hyperparameter on the range's own axis: log, integer or categorical."""
    fig, ax = figure(4.2, 3.0)
    points = [(job, str((job.get("TunedHyperParameters") or {}).get(param.name)), objective(job)) for job in jobs]
    points = [(job, text, value) for job, text, value in points if value is not None and text != "None"]
    for job, text, value in points:
        x = _position(param, text)
        style = BEST if job["TrainingJobName"] == best_name else {
            "color": STATUS_COLORS.get(job["TrainingJobStatus"], "#7f7f7f"), "s": 28, "zorder": 3}
        ax.scatter([x], [value], **style)
    _axis(ax, param)
    value_scale(ax, [value for _, _, value in points])
    ax.set_ylabel(metric)
    ax.set_title(f"{param.name} ({_scale_name(param)})")
    return fig


def _position(param: Param, text: str) -> float:
    if param.kind == "Categorical":
        return float(param.values.index(text)) if text in param.values else -1.0
    return float(param.value(text))


def _scale_name(param: Param) -> str:
    if param.kind == "Categorical":
        return "categorical"
    return f"{param.kind.lower()}, {'log' if param.log else 'linear'} {param.low:g}–{param.high:g}"


def _axis(ax: Any, param: Param) -> None:
    """The x axis of a range: category labels in request order, or the full range (log when logarithmic)."""
    if param.kind == "Categorical":
        ax.set_xticks(range(len(param.values)), list(param.values))
        ax.set_xlim(-0.5, len(param.values) - 0.5)
    else:
        low, high = float(param.low), float(param.high)  # type: ignore[arg-type]
        if param.log:
            from matplotlib.ticker import FuncFormatter

            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            pad = (high / low) ** 0.04
            ax.set_xlim(low / pad, high * pad)
        else:
            ax.set_xlim(low - 0.04 * (high - low), high + 0.04 * (high - low))
        for bound in (low, high):  # the range's ends, so "at the edge" is visible
            ax.axvline(bound, color="#999999", linestyle=":", linewidth=1)
        if param.kind == "Integer":
            ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(param.name)


def importance(importances: dict[str, float]) -> str:
    """Normalized importances (PED-ANOVA) as horizontal bars, most important on top."""
    names = list(importances)[::-1]
    fig, ax = figure(4.2, 0.6 + 0.35 * len(names))
    ax.barh(names, [importances[n] for n in names], color="#1f77b4")
    for y, name in enumerate(names):
        ax.text(importances[name], y, f" {importances[name]:.2f}", va="center", fontsize=8)
    ax.set_xlabel("importance (PED-ANOVA, normalized)")
    ax.set_title("Hyperparameter importance")
    return to_svg(fig)


def parallel(study: Any) -> str:
    """Optuna's parallel-coordinate plot (log and categorical axes follow the distributions)."""
    import warnings

    import optuna
    from optuna.visualization.matplotlib import plot_parallel_coordinate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", "Attempting to set identical low and high ylims")  # one-valued axis
        ax = plot_parallel_coordinate(study)
    fig = ax.get_figure()
    fig.set_size_inches(9.0, 3.6)
    svg = to_svg(fig)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return svg

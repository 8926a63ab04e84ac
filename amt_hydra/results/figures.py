"""The report's charts about values: optimization history, one slice per hyperparameter, importance and
parallel coordinates, drawn with matplotlib and returned as inline SVG (text kept as text: small, offline).

Every chart marks the best training job (a star) and colours jobs by how they ended, the same in every chart.
"""

from __future__ import annotations

import io
import itertools
import re
import zlib
from typing import Any

from amt_hydra.results.jobs import objective
from amt_hydra.results.space import Param

STATUS_COLORS = {"Completed": "#1f77b4", "Stopped": "#ff7f0e", "Failed": "#d62728", "InProgress": "#7f7f7f"}
BEST = {"marker": "*", "s": 220, "color": "#ffd700", "edgecolors": "black", "linewidths": 0.8, "zorder": 5}


def preload() -> None:
    """Import what every chart needs (matplotlib's figure, SVG backend and fonts, ~0.5 s)."""
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    from matplotlib import font_manager

    font_manager.findfont(font_manager.FontProperties())  # loads the font list and the default font


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


def to_svg(fig: Any, crop: bool = False) -> str:
    """The figure as an `<svg>` element; fonts stay text (the browser's sans-serif); ids made unique in the page.

    Our figures are laid out by constrained layout, which already fits every label inside: one draw. `crop`
    (bbox_inches="tight", a second draw) is for figures drawn without it (Optuna's)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "amt-hydra", "font.size": 9}):
        fig.savefig(buffer, format="svg", bbox_inches="tight" if crop else None)
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)  # RDF, date
    prefix = f"f{zlib.crc32(text.encode()):08x}-"  # from the chart itself: the same wherever it was drawn
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    return re.sub(r'(href="|url\()#([^")]+)', lambda m: f"{m.group(1)}#{prefix}{m.group(2)}", text)


def value_scale(ax: Any, values: list[float]) -> None:
    """A log y axis when positive objectives span more than a decade (stopped outliers squash the rest); the
    2-5 minor ticks are labelled only over at most two decades, where they do not overlap."""
    if values and min(values) > 0 and max(values) / min(values) >= 10:
        from matplotlib.ticker import FuncFormatter, NullFormatter

        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        if max(values) / min(values) > 100:
            ax.yaxis.set_minor_formatter(NullFormatter())
            wide_log_minor(ax.yaxis)
        else:
            ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if f"{v:g}".lstrip("0.")[0] in "2345"
                                                       else ""))


def wide_log_minor(axis: Any) -> None:
    """Minor ticks at 2 and 5 of each decade on a log axis spanning more than two (unlabelled there): a third
    of the tick objects matplotlib lays out on every draw, the same 1-2-5 reading."""
    from matplotlib.ticker import LogLocator

    axis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))


def scatter_by_status(ax: Any, points: list[tuple[dict[str, Any], float, float]], best_name: str | None) -> None:
    """(job, x, y) as one scatter per status (a few artists, however many jobs), the best job starred on top."""
    groups: dict[str, list[tuple[float, float]]] = {}
    for job, x, y in points:
        groups.setdefault(STATUS_COLORS.get(job["TrainingJobStatus"], "#7f7f7f"), []).append((x, y))
    for color, xy in groups.items():
        ax.scatter(*zip(*xy, strict=True), color=color, s=28, zorder=3)
    best = [(x, y) for job, x, y in points if job["TrainingJobName"] == best_name]
    if best:
        ax.scatter(*zip(*best, strict=True), **BEST)


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
    points = [(job, float(i), objective(job)) for i, job in enumerate(jobs, start=1)]
    missing = [x for _, x, value in points if value is None]
    if missing:
        ax.vlines(missing, 0, 1, transform=ax.get_xaxis_transform(), color=STATUS_COLORS["Failed"], alpha=0.25,
                  linewidth=4)
    points = [(job, x, value) for job, x, value in points if value is not None]
    xs, ys = [x for _, x, _ in points], [value for _, _, value in points]
    best_line = list(itertools.accumulate(ys, max if maximize else min))
    scatter_by_status(ax, points, best_name)
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
    scatter_by_status(ax, [(job, _position(param, text), value) for job, text, value in points], best_name)
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
            if high / low > 100:
                wide_log_minor(ax.xaxis)
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
    svg = to_svg(fig, crop=True)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return svg

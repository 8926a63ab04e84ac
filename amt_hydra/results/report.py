"""report.html: one self-contained, offline page per tuning job, read only from result.json's shapes (so it
serves local and SageMaker jobs alike).

Panels (settings and counters, best job, edge warnings, failure reasons) and charts (history, learning
curves, timeline, a slice per hyperparameter, importance, parallel coordinates). Charts are matplotlib and
Optuna's matplotlib visualization rendered to inline SVG with text as text: no script, no CDN, tens of
kilobytes per chart instead of plotly's ~3.5 MB bundle per file.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from amt_hydra.results import curves, figures, panels
from amt_hydra.results.jobs import by_start, maximize, metric_name, objective
from amt_hydra.results.space import Param, parameters

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;max-width:1500px}
h1{margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}.sub{color:#666;margin:0 0 16px}
.grid{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.panel,figure{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px;margin:0}
.panel.best{border-color:#d4af37}.panel.warn{border-color:#e69500;background:#fff8e6}.wide{flex-basis:100%}
figure svg{display:block;max-width:100%;height:auto}figcaption{font-size:12px;color:#555;max-width:640px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #e2e2e2;padding:3px 7px;text-align:left;
vertical-align:top}.kv th{background:#f6f6f6;white-space:nowrap}pre{margin:0;white-space:pre-wrap;max-width:1100px;
font-size:11px}td.num{text-align:right;font-variant-numeric:tabular-nums}
"""


def _figure(svg: str, caption: str, wide: bool = False) -> str:
    return f"<figure class='{'wide' if wide else ''}'>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"


def prefetch() -> None:
    """Import what the charts need (~0.5 s: matplotlib, its fonts, Optuna's plots), ahead of the report; where
    this fails, the report's own imports say why."""
    try:
        figures.preload()
        import optuna.visualization.matplotlib  # noqa: F401
    except Exception:  # noqa: BLE001, S110
        pass


def charts(result: dict[str, Any], space: list[Param]) -> list[str]:
    """The charts that the job's data supports (no objective yet: none; one value: no importance), drawn on two
    cores where the machine has them (`fork.run_shared`)."""
    from amt_hydra.results.fork import run_shared

    jobs, weights = chart_jobs(result, space)
    if len(jobs) > 1:
        figures.preload()  # before the fork: imported once, not in each process
    return [chart for charts in run_shared(jobs, weights) for chart in charts]


def chart_jobs(result: dict[str, Any], space: list[Param]) -> tuple[list[Callable[[], list[str]]], list[float]]:
    """One job per chart (the study's two charts are one job: they share the study), with its rough cost."""
    job = result["TuningJob"]
    jobs = by_start(result.get("TrainingJobs") or [])
    best_name = (job.get("BestTrainingJob") or {}).get("TrainingJobName")
    metric = metric_name(job)
    out: list[tuple[Callable[[], list[str]], float]] = []
    valued = any(objective(j) is not None for j in jobs)
    if valued:
        out.append((lambda: [_figure(figures.history(jobs, best_name, maximize(job), metric), "Every training job's "
                                     "final objective, the best so far, the best job starred.")], 1.0))
    if any(len(j.get("ObjectiveValues") or []) > 1 for j in jobs):  # SageMaker's describe: final value only
        out.append((lambda: [_figure(curves.learning_curves(jobs, best_name, metric), "Objective at every "
                                     "emission; dashed and × = stopped (early stopping, Hyperband).")], 1.0))
    if jobs:
        preferred = (panels.instance_types(job) or [None])[0]
        out.append((lambda: [_figure(curves.timeline(jobs, preferred), "Jobs by parallel slot; light = "
                                     "waiting/starting, solid = training; the colour is the instance type the job "
                                     "ran on.", wide=True)], 0.7))
    if valued:
        out.extend((functools.partial(_slice, p, jobs, best_name, metric), 1.0) for p in space)
        out.append((functools.partial(_study_charts, result), 1.8))
    return [f for f, _ in out], [w for _, w in out]


def _slice(param: Param, jobs: list[dict[str, Any]], best_name: str | None, metric: str) -> list[str]:
    return [_figure(figures.slice_plot(param, jobs, best_name, metric), f"{metric} against {param.name}.")]


def _study_charts(result: dict[str, Any]) -> list[str]:
    """Importance and parallel coordinates, from the job rebuilt as an in-memory Optuna study."""
    from optuna.trial import TrialState

    from amt_hydra.results.study import to_study

    study = to_study(result)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < 2:
        return []
    from amt_hydra.results.importance import ped_anova

    out = []
    importances = ped_anova(study)
    if importances:
        out.append(_figure(figures.importance(importances), "How much each hyperparameter's values in "
                           "the best 10% of completed jobs differ from all (Optuna's PED-ANOVA, normalized); "
                           "a rough guide with few jobs."))
    out.append(_figure(figures.parallel(study), "Completed jobs across all hyperparameters, coloured by objective.",
                       wide=True))
    return out


def render_report(result: dict[str, Any]) -> str:
    job = result["TuningJob"]
    space = parameters(job)
    jobs = by_start(result.get("TrainingJobs") or [])
    best_name = (job.get("BestTrainingJob") or {}).get("TrainingJobName")
    entry = next((j for j in jobs if j["TrainingJobName"] == best_name), None)
    name = html.escape(job["HyperParameterTuningJobName"])
    body = [f"<h1>{name}</h1><p class='sub'>{html.escape(job['HyperParameterTuningJobStatus'])} · "
            f"{len(jobs)} training jobs · {html.escape(metric_name(job))} "
            f"({'maximize' if maximize(job) else 'minimize'})</p>",
            "<div class='grid'>", panels.summary(job), panels.best(job, entry, space), panels.edge_warnings(job, space),
            "</div><h2 style='margin-top:18px'>Charts</h2><div class='grid'>", *charts(result, space), "</div>",
            "<div class='grid' style='margin-top:14px'>", panels.failures(job, jobs), _jobs_table(jobs), "</div>"]
    if not jobs:
        body.append(f"<p>No training job listed. {html.escape(result.get('TrainingJobsError', ''))}</p>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{name}</title><style>{STYLE}</style>"
            f"</head><body>{''.join(body)}</body></html>\n")


def _jobs_table(jobs: list[dict[str, Any]]) -> str:
    from amt_hydra.results.table import job_rows

    if not jobs:
        return ""
    header, *rows = job_rows(jobs)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<section class='panel wide'><h2>Training jobs</h2><table><tr>{head}</tr>{body}</table></section>"


def write_report(result: dict[str, Any], path: Path) -> Path:
    path.write_text(render_report(result))
    return path

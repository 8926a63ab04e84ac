"""report.html: the best-so-far curve and each tuned hyperparameter against the objective.

Self-contained HTML with inline SVG (no plotting dependency, opens anywhere, works for local and
SageMaker jobs alike since it reads only result.json's shapes).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

W, H, PAD = 420, 260, 40


def _points(result: dict[str, Any]) -> list[tuple[dict[str, Any], float]]:
    jobs = sorted(result.get("TrainingJobs", []), key=lambda j: str(j.get("TrainingEndTime") or j["CreationTime"]))
    out = []
    for job in jobs:
        metric = job.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
        if job.get("ObjectiveStatus") == "Succeeded" and "Value" in metric:
            out.append((job, float(metric["Value"])))
    return out


def _scale(values: list[float], lo_px: float, hi_px: float) -> list[float]:
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    return [lo_px + (v - lo) / span * (hi_px - lo_px) for v in values]


def _svg(title: str, xs: list[float], ys: list[float], line: bool, xlabels: list[str] | None = None) -> str:
    px, py = _scale(xs, PAD, W - 10), _scale(ys, H - PAD, 10)
    marks = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>' for x, y in zip(px, py))
    path = ""
    if line and len(px) > 1:
        path = '<polyline fill="none" stroke="#1f77b4" points="' + " ".join(
            f"{x:.1f},{y:.1f}" for x, y in zip(px, py)) + '"/>'
    ticks = "".join(f'<text x="{x:.1f}" y="{H - PAD + 14}" font-size="10" text-anchor="middle">'
                    f"{html.escape(label)}</text>" for x, label in zip(px, xlabels or []))
    axis = (f'<text x="4" y="14" font-size="10">{max(ys):.4g}</text>'
            f'<text x="4" y="{H - PAD}" font-size="10">{min(ys):.4g}</text>')
    if xlabels is None:
        axis += (f'<text x="{PAD}" y="{H - 8}" font-size="10">{min(xs):.4g}</text>'
                 f'<text x="{W - 10}" y="{H - 8}" font-size="10" text-anchor="end">{max(xs):.4g}</text>')
    return (f'<figure><figcaption>{html.escape(title)}</figcaption><svg width="{W}" height="{H}" '
            f'fill="#1f77b4">{axis}{path}{marks}{ticks}</svg></figure>')


def _best_so_far(values: list[float], maximize: bool) -> list[float]:
    best: list[float] = []
    for value in values:
        best.append(value if not best else (max if maximize else min)(best[-1], value))
    return best


def _param_plot(name: str, points: list[tuple[dict[str, Any], float]]) -> str:
    raw = [(str((job.get("TunedHyperParameters") or {}).get(name)), value) for job, value in points]
    try:
        xs = [float(v) for v, _ in raw]
        labels = None
    except ValueError:
        categories = sorted({v for v, _ in raw})
        xs = [float(categories.index(v)) for v, _ in raw]
        labels = [v for v, _ in raw]
    return _svg(f"{name} vs objective", xs, [value for _, value in raw], line=False, xlabels=labels)


def render_report(result: dict[str, Any]) -> str:
    job = result["TuningJob"]
    config = job.get("HyperParameterTuningJobConfig", {})
    objective = config.get("HyperParameterTuningJobObjective", {})
    maximize = objective.get("Type") == "Maximize"
    points = _points(result)
    name = html.escape(job["HyperParameterTuningJobName"])
    body = [f"<h1>{name}</h1><p>status {html.escape(job['HyperParameterTuningJobStatus'])}, strategy "
            f"{html.escape(str(config.get('Strategy')))}, objective {html.escape(str(objective.get('MetricName')))}"
            f" ({html.escape(str(objective.get('Type')))})</p>"]
    if not points:
        body.append("<p>No training job has an objective value yet.</p>")
    else:
        values = [v for _, v in points]
        body.append(_svg("best objective so far (by end time)", list(map(float, range(1, len(values) + 1))),
                         _best_so_far(values, maximize), line=True))
        tuned = sorted({k for job_, _ in points for k in (job_.get("TunedHyperParameters") or {})})
        body.extend(_param_plot(param, points) for param in tuned)
    if result.get("TrainingJobs"):
        body.append(_jobs_table(result["TrainingJobs"]))
    style = ("body{font-family:sans-serif}figure{display:inline-block;margin:8px}svg{border:1px solid #ccc}"
             "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{name}</title><style>{style}</style>"
            f"</head><body>{''.join(body)}</body></html>\n")


def _jobs_table(jobs: list[dict[str, Any]]) -> str:
    from amt_hydra.results.table import job_rows

    header, *rows = job_rows(jobs)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<h2>Training jobs</h2><table><tr>{head}</tr>{body}</table>"


def write_report(result: dict[str, Any], path: Path) -> Path:
    path.write_text(render_report(result))
    return path

"""The self-contained HTML report of one run (pure: a `Run` and its plot images in, one HTML string out).

Everything the page needs is inside it: plots as data URIs, the style sheet and a small script. A
Content-Security-Policy forbids every network load, so the page behaves the same with the network off, and all
text from the run (prompts, model responses, judge rationales) is HTML-escaped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from promptbandit.report.rundir import Run
from promptbandit.report.series import CORRECT_AT, outcome
from promptbandit.types import StepRecord

# Keys a judge reward stores in a step's detail that deserve a prominent place in the rollout browser: its kind
# ("judge"), verdict or score and rationale, the no-prefix reference answer it compared with, and one entry per
# judge call (both presentation orders of a pairwise judge).
_JUDGE_TEXT = ("rationale", "judge_rationale", "explanation", "reasoning")
_JUDGE_FACTS = ("judge", "verdict", "judge_verdict", "score", "outcome", "candidate_position")
_JUDGE_LABELS = {"judge": "kind", "judge_verdict": "verdict"}
_JUDGE_KEYS = (*_JUDGE_FACTS, *_JUDGE_TEXT, "reference", "calls")
_COST_KEYS = ("cost_usd", "cost")
_LONG_TABLE = 20  # tables in validation.json longer than this start collapsed

_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'")

_CSS = """
:root {
  --fg: #1b1f24;
  --muted: #5c6670;
  --line: #d8dee4;
  --bg: #f6f8fa;
  --ok: #1a7f37;
  --bad: #cf222e;
  --warn: #9a6700;
}
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 60px; }
h1 { font-size: 22px; margin: 4px 0; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 130px; background: var(--bg); }
.card b { display: block; font-size: 17px; } .card span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.kv td:first-child { color: var(--muted); width: 220px; }
.tag {
  font-size: 11px;
  color: var(--muted);
  border: 1px solid var(--line);
  border-radius: 9px;
  padding: 0 6px;
  margin-left: 4px;
}
.ci {
  position: relative;
  height: 12px;
  width: 140px;
  background: #eef1f4;
  border-radius: 3px;
  display: inline-block;
  vertical-align: middle;
}
.ci i { position: absolute; top: 3px; height: 6px; background: #6e9fd1; border-radius: 3px; }
.ci u { position: absolute; top: 0; width: 2px; height: 12px; background: #08519c; }
img.plot { width: 100%; max-width: 980px; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
.filters {
  position: sticky;
  top: 0;
  background: #fff;
  padding: 8px 0;
  display: flex;
  gap: 14px;
  align-items: center;
  flex-wrap: wrap;
  border-bottom: 1px solid var(--line);
  z-index: 1;
}
.filters label { color: var(--muted); } select, input { font: inherit; padding: 3px 6px; }
.rollout {
  border: 1px solid var(--line);
  border-left: 4px solid var(--line);
  border-radius: 6px;
  margin: 10px 0;
  padding: 8px 12px;
}
.rollout[hidden] { display: none; }
.rollout.correct { border-left-color: var(--ok); }
.rollout.incorrect { border-left-color: var(--bad); }
.rollout.failed { border-left-color: var(--warn); }
.rollout header { display: flex; gap: 12px; flex-wrap: wrap; align-items: baseline; }
.badge { font-weight: 600; }
.correct .badge { color: var(--ok); }
.incorrect .badge { color: var(--bad); }
.failed .badge { color: var(--warn); }
.meta { color: var(--muted); font-size: 12px; }
pre {
  white-space: pre-wrap;
  word-break: break-word;
  background: var(--bg);
  border-radius: 4px;
  padding: 6px 8px;
  margin: 4px 0;
  font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace;
}
.scroll { overflow-x: auto; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 10px; }
details summary { cursor: pointer; color: var(--muted); margin: 6px 0; }
.lbl { color: var(--muted); font-size: 12px; margin-top: 6px; }
.judge { border-left: 3px solid #8250df; padding-left: 8px; }
a.armlink { color: inherit; text-decoration: underline dotted; cursor: pointer; }
"""

_SCRIPT = """
(function () {
  var arm = document.getElementById('filter-arm');
  var result = document.getElementById('filter-outcome');
  var text = document.getElementById('filter-text');
  var count = document.getElementById('filter-count');
  var cards = Array.prototype.slice.call(document.querySelectorAll('.rollout'));
  var haystacks = cards.map(function (c) { return c.textContent.toLowerCase(); });
  function apply() {
    var a = arm.value, o = result.value, t = text.value.trim().toLowerCase(), shown = 0;
    cards.forEach(function (card, i) {
      var visible = (a === '' || card.dataset.arm === a) && (o === '' || card.dataset.outcome === o) &&
        (t === '' || haystacks[i].indexOf(t) !== -1);
      card.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + ' of ' + cards.length + ' steps shown';
  }
  arm.addEventListener('change', apply);
  result.addEventListener('change', apply);
  text.addEventListener('input', apply);
  Array.prototype.forEach.call(document.querySelectorAll('a.armlink'), function (link) {
    link.addEventListener('click', function () { arm.value = link.dataset.arm; apply(); });
  });
  apply();
})();
"""


def render_report(run: Run, probability_plot: str, reward_plot: str) -> str:
    """The whole report page.

    Args:
        run: the loaded run directory.
        probability_plot: data URI of the selection-probability plot.
        reward_plot: data URI of the reward plot.
    """
    config = run.manifest.get("config", {})
    title = f"promptbandit report: {run.name}"
    subtitle = (f"{config.get('policy', '?')} over {len(run.arms)} arms on {run.dataset} with {run.model}; "
                f"{len(run.records)} of {config.get('steps', '?')} steps; created {run.manifest.get('created', '?')}")
    body = "\n".join([
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(subtitle)}</p>',
        _overview(run),
        "<h2>Selection probability per arm</h2>",
        f'<img class="plot" id="plot-probability" alt="selection probability of each arm after every step" '
        f'src="{escape(probability_plot)}">',
        "<h2>Reward over the run</h2>",
        f'<img class="plot" id="plot-reward" alt="cumulative and moving-average reward" src="{escape(reward_plot)}">',
        "<h2>Arms</h2>",
        _arm_table(run),
        _validation_section(run.validation),
        "<h2>Arm prefixes and configuration</h2>",
        _config_section(run),
        '<h2 id="rollouts">Rollouts</h2>',
        _rollouts(run),
    ])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n"
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def cost_of(row: Mapping[str, Any]) -> float | None:
    """A cost figure in a summary or summary row, when the run recorded one (``cost_usd`` or ``cost``)."""
    for key in _COST_KEYS:
        value = row.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def run_cost(summary: Mapping[str, Any]) -> float | None:
    """The run's total cost: in the summary itself or in its ``usage`` block."""
    usage = summary.get("usage")
    return cost_of(summary) if cost_of(summary) is not None else cost_of(usage) if isinstance(usage, dict) else None


def arm_cost(summary: Mapping[str, Any], row: Mapping[str, Any]) -> float | None:
    """One arm's cost: in its summary row, or under ``usage.arms[<name>]``."""
    if cost_of(row) is not None:
        return cost_of(row)
    per_arm = (summary.get("usage") or {}).get("arms") if isinstance(summary.get("usage"), dict) else None
    entry = per_arm.get(row.get("name")) if isinstance(per_arm, dict) else None
    return cost_of(entry) if isinstance(entry, dict) else None


def _overview(run: Run) -> str:
    summary = run.summary
    best = summary.get("best_arm") or {}
    cards = [
        (str(summary.get("steps", len(run.records))), "steps"),
        (str(summary.get("failed_steps", 0)), "failed steps"),
        (str(summary.get("model_calls", "-")), "model calls"),
        (str(summary.get("cached_responses", "-")), "served from cache"),
        (f"{summary.get('prompt_tokens', 0):,} / {summary.get('completion_tokens', 0):,}", "prompt / completion tokens"),
        (_fmt(summary.get("mean_reward")), "mean reward"),
    ]
    cost = run_cost(summary)
    cards.append((f"${cost:,.4f}", "cost") if cost is not None else ("-", "cost (not recorded by this run)"))
    if best and best.get("mean_reward") is not None:
        verdict = "ahead of the runner-up" if best.get("separated_from_runner_up") else "not separated from the runner-up"
        cards.append((str(best.get("name", "?")), f"best arm: mean {_fmt(best.get('mean_reward'))}, "
                      f"95% {_interval(best.get('ci95'))}, {verdict}"))
    ident = summary.get("identification") or {}
    if ident.get("confidence") is not None and ident.get("gap_interval"):
        test = "paired" if ident.get("paired") else "unpaired"
        low, high = ident["gap_interval"]
        cards.append((f"{ident.get('recommended', '?')}: {100 * ident['confidence']:.1f}%",
                      f"confidence it is the best arm ({test} anytime-valid test); gap to {ident.get('runner_up')} "
                      f"{ident.get('gap', 0):+.3f} (95% {low:+.3f} to {high:+.3f}); stopped by {ident.get('stopped_by')}"))
    items = "".join(f'<div class="card"><b>{escape(value)}</b><span>{escape(label)}</span></div>'
                    for value, label in cards)
    return f'<div class="cards" id="overview">{items}</div>'


def _arm_table(run: Run) -> str:
    rows = run.summary.get("arms", [])
    with_cost = any(arm_cost(run.summary, row) is not None for row in rows)
    head = ["rank", "arm", "pulls", "mean", "95% interval", "", "probability", "tokens"] + (["cost"] if with_cost else [])
    numeric = {"rank", "pulls", "mean", "probability", "tokens", "cost"}
    lines = ['<table id="arm-table"><thead><tr>'
             + "".join(f'<th class="n">{h}</th>' if h in numeric else f"<th>{h}</th>" for h in head)
             + "</tr></thead><tbody>"]
    for row in rows:
        tag = f'<span class="tag">{escape(row["group"])}</span>' if row.get("group") else ""
        name = (f'<a class="armlink" href="#rollouts" data-arm="{int(row["index"])}" '
                f'title="{escape(row.get("prefix") or "(no prefix)")}">{escape(row["name"])}</a>{tag}')
        tokens = int(row.get("prompt_tokens", 0)) + int(row.get("completion_tokens", 0))
        failures = f' <span class="meta">({row["failures"]} failed)</span>' if row.get("failures") else ""
        cells = [
            f'<td class="n">{row.get("rank", "")}</td>', f"<td>{name}</td>",
            f'<td class="n">{row.get("pulls", 0)}{failures}</td>', f'<td class="n">{_fmt(row.get("mean_reward"))}</td>',
            f"<td>{_interval(row.get('ci95'))}</td>", f"<td>{_ci_bar(row.get('mean_reward'), row.get('ci95'))}</td>",
            f'<td class="n">{_fmt(row.get("probability"))}</td>', f'<td class="n">{tokens:,}</td>',
        ]
        if with_cost:
            cost = arm_cost(run.summary, row)
            cells.append(f'<td class="n">{"-" if cost is None else f"${cost:,.4f}"}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    lines.append('<p class="meta">Ranked by mean reward. The interval is Wilson\'s for 0/1 rewards, normal otherwise. '
                 "Click an arm to read its rollouts; hover for its prefix.</p>")
    return "\n".join(lines)


def _ci_bar(mean: Any, ci: Any) -> str:
    if mean is None or not ci:
        return ""
    low, high = (max(0.0, min(1.0, float(x))) for x in ci)
    centre = max(0.0, min(1.0, float(mean)))
    return (f'<span class="ci" title="{_interval(ci)}"><i style="left:{low * 100:.1f}%;width:{(high - low) * 100:.1f}%">'
            f'</i><u style="left:calc({centre * 100:.1f}% - 1px)"></u></span>')


def _validation_section(validation: Mapping[str, Any] | None) -> str:
    """Render validation.json whatever its exact layout: its conclusion first, scalars as a key/value table,
    lists of rows as tables (long ones collapsed, such as per-item rewards), nested objects as key/value tables."""
    if validation is None:
        return ""
    parts = ['<h2>Validation on held-out items</h2>', '<div id="validation">']
    if isinstance(validation.get("conclusion"), str):
        parts.append(f'<p class="conclusion"><b>{escape(validation["conclusion"])}</b></p>')
    scalars = {k: v for k, v in validation.items()
               if not isinstance(v, dict | list) and k != "conclusion" and not k.startswith("promptbandit_")}
    tables = {k: v for k, v in validation.items()
              if isinstance(v, list) and v and all(isinstance(item, dict) for item in v)}
    for key, rows in tables.items():
        if len(rows) <= _LONG_TABLE:
            parts.append(f'<div class="lbl">{escape(key)}</div><div class="scroll">{_rows_table(rows)}</div>')
    for key, value in validation.items():
        if isinstance(value, dict) and value:
            parts.append(f'<div class="lbl">{escape(key)}</div>' + _kv_table(value))
    others = {k: v for k, v in validation.items() if isinstance(v, list) and k not in tables}
    if scalars or others:
        parts.append(_kv_table({**scalars, **others}))
    for key, rows in tables.items():
        if len(rows) > _LONG_TABLE:
            parts.append(f'<details><summary>{escape(key)} ({len(rows)} rows)</summary>'
                         f'<div class="scroll">{_rows_table(rows)}</div></details>')
    parts.append("</div>")
    return "\n".join(parts)


def _config_section(run: Run) -> str:
    manifest = run.manifest
    facts: dict[str, Any] = {f"config.{k}": v for k, v in manifest.get("config", {}).items()}
    facts["seed"] = manifest.get("seed")
    facts["update_lag"] = manifest.get("update_lag")
    for section in ("sampling", "dataset", "model", "versions"):
        value = manifest.get(section)
        if isinstance(value, dict):
            facts.update({f"{section}.{k}": v for k, v in value.items()})
    cost = run_cost(run.summary)
    if cost is not None:
        facts["total cost (USD)"] = cost
    prefixes = "".join(f"<tr><td>{escape(a.name)}</td><td>{escape(a.prefix) or '<i>(no prefix)</i>'}</td></tr>"
                       for a in run.arms)
    return (f'<table id="prefixes"><thead><tr><th>arm</th><th>prefix</th></tr></thead><tbody>{prefixes}</tbody></table>'
            f'<details><summary>all settings, model and versions ({len(facts)})</summary>'
            f'{_kv_table(facts, table_id="config")}</details>')


def _rollouts(run: Run) -> str:
    counts = Counter(r.arm for r in run.records)
    outcomes = Counter(outcome(r) for r in run.records)
    arm_options = "".join(f'<option value="{i}">{escape(a.name)} ({counts.get(i, 0)})</option>'
                          for i, a in enumerate(run.arms))
    outcome_options = "".join(f'<option value="{o}">{o} ({outcomes.get(o, 0)})</option>'
                              for o in ("correct", "incorrect", "failed"))
    placement = str(run.manifest.get("config", {}).get("placement", "system"))
    filters = (
        '<div class="filters">'
        f'<label>arm <select id="filter-arm"><option value="">all arms ({len(run.records)})</option>'
        f"{arm_options}</select></label>"
        f'<label>result <select id="filter-outcome"><option value="">all</option>{outcome_options}</select></label>'
        '<label>text <input id="filter-text" type="search" placeholder="search prompts and responses"></label>'
        '<span id="filter-count" class="meta"></span></div>'
        f'<p class="meta">correct means reward &ge; {CORRECT_AT:g}; the prefix was sent as the '
        f'{"system message" if placement == "system" else "start of the user message"}.</p>'
    )
    cards = "\n".join(_rollout(record, run.arms[record.arm].prefix) for record in run.records)
    return f'{filters}\n<div id="rollout-list">\n{cards}\n</div>'


def _rollout(record: StepRecord, prefix: str) -> str:
    result = outcome(record)
    reward = "-" if record.reward is None else _fmt(record.reward)
    header = (f'<header><span class="badge">{result}</span><b>step {record.step}</b>'
              f"<span>{escape(record.arm_name)}</span><span class=\"meta\">item {escape(record.example_id)}</span>"
              f'<span>reward {reward}</span><span>gold <b>{escape(record.gold)}</b></span>'
              f"<span>extracted <b>{escape(record.extracted if record.extracted is not None else '-')}</b></span>"
              f'<span class="meta">{record.prompt_tokens}+{record.completion_tokens} tokens, {record.latency_s:.2f} s'
              f'{", cached" if record.cached else ""}</span></header>')
    parts = [header]
    parts.append(f'<div class="meta">prefix: {escape(prefix) or "(none)"}</div>')
    parts.append('<div class="pair">'
                 f'<div><div class="lbl">prompt</div><pre class="prompt">{escape(record.prompt)}</pre></div>'
                 f'<div><div class="lbl">response</div><pre class="response">{escape(record.response)}</pre></div>'
                 "</div>")
    if record.error:
        parts.append(f'<div class="lbl">error</div><pre class="error">{escape(record.error)}</pre>')
    judge, rest = _judge_block(record.detail)
    parts.append(judge)
    if rest:
        parts.append('<details><summary class="meta">details</summary>' + _kv_table(rest) + "</details>")
    return (f'<article class="rollout {result}" data-arm="{record.arm}" data-outcome="{result}" '
            f'data-step="{record.step}">' + "".join(parts) + "</article>")


def _judge_block(detail: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The judge's verdicts and rationales as a block, and the detail entries it did not show."""
    shown = {k: v for k, v in detail.items() if k in _JUDGE_KEYS}
    if not any(k in shown for k in (*_JUDGE_TEXT, "verdict", "judge_verdict", "calls", "judge")):
        return "", dict(detail)
    calls = shown.get("calls")
    blocks = [_judge_call(shown)]
    if isinstance(calls, list):
        blocks += [_judge_call(call, f"call {number}") for number, call in enumerate(calls, start=1)
                   if isinstance(call, dict)]
    if isinstance(shown.get("reference"), str):
        blocks.append(f'<div class="lbl">reference answer (no prefix)</div><pre>{escape(shown["reference"])}</pre>')
    rest = {k: v for k, v in detail.items() if k not in shown or (k == "calls" and not isinstance(calls, list))}
    return '<div class="judge">' + "".join(blocks) + "</div>", rest


def _judge_call(entry: Mapping[str, Any], label: str = "") -> str:
    facts = " &middot; ".join(
        f"{escape(_JUDGE_LABELS.get(k, k.replace('_', ' ')))} <b>{escape(_text(entry[k]) or '-')}</b>"
        for k in _JUDGE_FACTS if k in entry and not isinstance(entry[k], dict | list))
    head = f'<div class="lbl">{"judge " + label if label else "judge"}: {facts}</div>' if facts or label else ""
    texts = "".join(f"<pre>{escape(_text(entry[k]))}</pre>" for k in _JUDGE_TEXT if k in entry)
    return head + texts


def _kv_table(data: Mapping[str, Any], table_id: str = "") -> str:
    attr = f' id="{table_id}"' if table_id else ""
    rows = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(_text(v))}</td></tr>" for k, v in data.items())
    return f'<table class="kv"{attr}><tbody>{rows}</tbody></table>'


def _rows_table(rows: Sequence[Mapping[str, Any]]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f"<th>{escape(str(c).replace('_', ' '))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_text(row.get(c, '')))}</td>" for c in columns) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _fmt(value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return _interval(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"
    return str(value)


def _interval(ci: Iterable[Any] | None) -> str:
    if not ci:
        return "-"
    low, high = list(ci)[:2]
    return f"[{float(low):.2f}, {float(high):.2f}]"

"""The HTML report: self-contained, escaped, and showing what the run directory holds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from handmade_runs import make_run_dir, step

from promptbandit import analysis, load_run, report
from promptbandit.errors import RunDirError

_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)|url\(\s*["']?(?:https?:|//)|@import""", re.I)


def _page(path: Path) -> str:
    return report(path).read_text(encoding="utf-8")


def test_model_text_is_escaped_not_executed(tmp_path: Path) -> None:
    hostile = "</pre><script>alert('x')</script><img src=http://example.com/x.png>"
    page = _page(make_run_dir(tmp_path / "r", [step(0, 0, 0.0, response=hostile)]))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # only the report's own filter script


def test_the_page_loads_nothing_from_outside(tmp_path: Path) -> None:
    page = _page(make_run_dir(tmp_path / "r", [step(0, 0, 1.0), step(1, 1, 0.0)]))
    assert not _EXTERNAL.search(page)
    assert "default-src 'none'" in page
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(images) == 2 and all(src.startswith("data:image/svg+xml;base64,") for src in images)


def test_every_step_becomes_a_rollout_tagged_for_the_filters(tmp_path: Path) -> None:
    records = [step(0, 0, 1.0), step(1, 1, 0.0), step(2, 0, None)]
    page = _page(make_run_dir(tmp_path / "r", records))
    tags = re.findall(r'<article class="rollout (\w+)" data-arm="(\d)" data-outcome="(\w+)"', page)
    assert tags == [("correct", "0", "correct"), ("incorrect", "1", "incorrect"), ("failed", "0", "failed")]
    assert "HTTP 500" in page


def test_rubric_judge_score_and_rationale_are_shown(tmp_path: Path) -> None:
    detail = {"judge": "rubric", "score": 7, "rationale": "Clear and correct.", "unparseable": False}
    page = _page(make_run_dir(tmp_path / "r", [step(0, 0, 1.0, detail=detail)]))
    block = page.split('<div class="judge">')[1].split("<details>")[0]
    assert "kind <b>rubric</b>" in block and "score <b>7</b>" in block and "Clear and correct." in block
    assert "unparseable" not in block and "unparseable" in page  # other detail keys go into the collapsed details


def test_pairwise_judge_shows_each_call_and_the_reference_answer(tmp_path: Path) -> None:
    detail = {"judge": "pairwise", "reference": "2 + 2 = 4", "unparseable": False, "calls": [
        {"candidate_position": "1", "verdict": "2", "outcome": "loss", "rationale": "Answer 2 shows the sum."},
        {"candidate_position": "2", "verdict": None, "outcome": None, "rationale": "I cannot tell."}]}
    page = _page(make_run_dir(tmp_path / "r", [step(0, 0, 0.0, detail=detail)]))
    assert "judge call 1: verdict <b>2</b> &middot; outcome <b>loss</b>" in page
    assert "judge call 2: verdict <b>-</b>" in page
    assert "Answer 2 shows the sum." in page and "I cannot tell." in page
    assert "reference answer (no prefix)</div><pre>2 + 2 = 4</pre>" in page


def test_steps_without_judge_detail_have_no_judge_block(tmp_path: Path) -> None:
    page = _page(make_run_dir(tmp_path / "r", [step(0, 0, 1.0)]))
    assert '<div class="judge">' not in page


def test_validation_table_appears_only_when_validation_json_exists(tmp_path: Path) -> None:
    validation = {"split": "validation", "conclusion": "No arm beats the baseline.",
                  "arms": [{"name": "Alan Turing", "accuracy": 0.64, "ci95": [0.5, 0.76], "p_holm": 1.0}]}
    with_it = _page(make_run_dir(tmp_path / "a", [step(0, 0, 1.0)], validation=validation))
    without = _page(make_run_dir(tmp_path / "b", [step(0, 0, 1.0)]))
    assert 'id="validation"' in with_it and "No arm beats the baseline." in with_it and "[0.50, 0.76]" in with_it
    assert 'id="validation"' not in without


def test_long_validation_tables_start_collapsed(tmp_path: Path) -> None:
    validation = {"conclusion": "No arm beats the no-prefix baseline.",
                  "arms": [{"name": "Alan Turing", "mean": 0.6, "verdict": "no significant difference"}],
                  "per_item": [{"id": f"q{i}", "Alan Turing": 1.0, "no prefix": 0.0} for i in range(50)]}
    page = _page(make_run_dir(tmp_path / "r", [step(0, 0, 1.0)], validation=validation))
    section = page.split('id="validation"')[1].split("<h2")[0]
    assert '<p class="conclusion"><b>No arm beats the no-prefix baseline.</b></p>' in section
    assert "<details><summary>per_item (50 rows)</summary>" in section
    assert "no significant difference" in section and section.count("<details>") == 1


def test_cost_column_appears_only_when_the_summary_has_costs(tmp_path: Path) -> None:
    records = [step(0, 0, 1.0), step(1, 1, 0.0)]
    arms = load_run(make_run_dir(tmp_path / "plain", records)).arms
    summary = analysis.summarize(arms, records)
    summary["cost_usd"] = 0.0123
    for row in summary["arms"]:
        row["cost_usd"] = 0.00615
    priced = _page(make_run_dir(tmp_path / "priced", records, summary=summary))
    plain = _page(tmp_path / "plain")
    assert "<th class=\"n\">cost</th>" in priced and "$0.0062" in priced and "$0.0123" in priced
    assert "<th class=\"n\">cost</th>" not in plain


def test_costs_under_a_usage_block_are_found_too(tmp_path: Path) -> None:
    records = [step(0, 0, 1.0), step(1, 1, 0.0)]
    arms = load_run(make_run_dir(tmp_path / "plain", records)).arms
    summary = analysis.summarize(arms, records)
    summary["usage"] = {"cost_usd": 0.5, "arms": {"Alan Turing": {"cost_usd": 0.25}, "no prefix": {"cost_usd": None}}}
    page = _page(make_run_dir(tmp_path / "priced", records, summary=summary))
    assert "$0.5000" in page and "$0.2500" in page


def test_report_is_written_into_the_run_directory_without_leftovers(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "r", [step(0, 0, 1.0)])
    assert report(path) == path / "report.html"
    assert sorted(p.name for p in path.iterdir()) == ["manifest.json", "report.html", "steps.jsonl"]


def test_report_into_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    path = make_run_dir(tmp_path / "r", [step(0, 0, 1.0)])
    with pytest.raises(RunDirError, match="does not exist"):
        report(path, tmp_path / "nowhere" / "report.html")


@pytest.mark.model
def test_report_of_a_real_run_lists_every_arm_and_step(reinforce_run: Path) -> None:
    page = _page(reinforce_run)
    run = load_run(reinforce_run)
    assert page.count('<article class="rollout') == len(run.records) == 12
    for arm in run.arms:
        assert f">{arm.name}</a>" in page
    best = json.loads((reinforce_run / "summary.json").read_text())["best_arm"]["name"]
    assert f"<b>{best}</b>" in page


@pytest.mark.parametrize("records", [[], [step(0, 0, None), step(1, 1, None)]], ids=["no steps", "all failed"])
def test_runs_without_rewards_still_get_a_report(tmp_path: Path, records: list) -> None:
    page = _page(make_run_dir(tmp_path / "r", records))
    assert page.count('<article class="rollout') == len(records)
    assert "best arm:" not in page

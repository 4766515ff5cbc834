"""Bad input of every kind (config, arms, data, server answers, run directories) gets one clear line.

Each case runs the real command-line entry point in process and checks: exit code 2, exactly one line on
stderr, ``promptbandit: error: `` followed by the expected message, no traceback, and no run directory left
half-written (either none at all, or one whose every file parses and which ``--resume`` accepts).
"""

from __future__ import annotations

import json
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from promptbandit import cli
from promptbandit.fakeserver import FakeServer, ServerSettings

GOOD_ROW = '{"question": "Tom has 2 apples and buys 3. How many now?", "answer": "2 + 3 = 5\\n#### 5"}'


@dataclass(frozen=True)
class Case:
    """One bad input: files to create, command-line arguments, an optional server, the expected message."""

    id: str
    args: tuple[str, ...]
    expected: str
    files: dict[str, str] = field(default_factory=dict)
    server: ServerSettings | None = None


def _server(**kw: object) -> ServerSettings:
    return ServerSettings(**kw)  # type: ignore[arg-type]


FAKE = ("--model", "openai:fake", "--base-url", "{url}", "--max-attempts", "1")
CASES = [
    # config files and options
    Case("config-missing", ("nope.yaml",), "config file not found: nope.yaml"),
    Case("config-bad-yaml", ("c.yaml",), "c.yaml: not valid YAML", {"c.yaml": "steps: [1, 2\n"}),
    Case("config-bad-json", ("c.json",), "c.json: not valid JSON", {"c.json": '{"steps": 3,,}'}),
    Case("config-not-mapping", ("c.yaml",), "c.yaml: expected a mapping of settings", {"c.yaml": "- 1\n- 2\n"}),
    Case("config-unknown-key", ("c.yaml",), "c.yaml: unknown key 'stepz'", {"c.yaml": "stepz: 3\n"}),
    Case("config-wrong-type", ("c.yaml",), "c.yaml: steps must be an integer or null, got 'ten'", {"c.yaml": "steps: ten\n"}),
    Case("config-zero-steps", ("c.yaml",), "c.yaml: steps: must be at least 1, got 0", {"c.yaml": "steps: 0\n"}),
    Case("config-bad-policy", ("c.yaml",), "c.yaml: policy: 'greedy' is not one of", {"c.yaml": "policy: greedy\n"}),
    Case("config-temperature", ("c.yaml",), "temperature: must be between 0 and 2, got 5",
         {"c.yaml": "temperature: 5\n"}),
    Case("config-bad-model", ("c.yaml",), "model: 'gpt4' must be 'local'", {"c.yaml": "model: gpt4\n"}),
    Case("config-bad-prices", ("c.yaml",), "prices: 'fake' must be {input:",
         {"c.yaml": "prices: {fake: {input: 1}}\n"}),
    Case("config-negative-cost", ("--max-cost", "-1"), "command line: max_cost: must be a positive number"),
    Case("option-zero-concurrency", ("--concurrency", "0"), "command line: concurrency: must be at least 1, got 0"),
    Case("option-bad-on-failure", ("--on-failure", "panic"), "on_failure: 'panic' is not one of continue, stop"),
    Case("policy-params", ("c.yaml",), "policy_params: ucb1 does not take these parameters",
         {"c.yaml": "policy: ucb1\npolicy_params: {lr: 0.1}\n"}),
    Case("max-cost-unknown-price", (*FAKE, "--max-cost", "5"), "max_cost: no price known for model 'openai:fake'"),
    Case("missing-api-key", ("--model", "openai:gpt-4o-mini", "--api-key-env", "PB_TEST_NO_SUCH_KEY"),
         "no API key: set the environment variable PB_TEST_NO_SUCH_KEY"),
    # arms
    Case("arms-unknown-set", ("--arms", "nosuch"), "unknown arm set 'nosuch'"),
    Case("arms-missing-file", ("--arms", "gone.yaml"), "arms file not found: gone.yaml"),
    Case("arms-bad-yaml", ("--arms", "a.yaml"), "a.yaml: not valid YAML", {"a.yaml": "arms: [\n"}),
    Case("arms-no-prefix", ("--arms", "a.yaml"), "a.yaml: arm 1 needs a string 'prefix'",
         {"a.yaml": "arms:\n  - name: x\n"}),
    Case("arms-template", ("--arms", "a.yaml"), "a.yaml: 'template' must be a string containing {persona}",
         {"a.yaml": "template: Be someone.\npersonas: [Ada]\n"}),
    Case("arms-duplicate-names", ("--arms", "a.json"), "two different arms share the name 'twin'",
         {"a.json": '[{"name": "twin", "prefix": "A."}, {"name": "twin", "prefix": "B."}]'}),
    # data
    Case("data-missing", ("--dataset", "gone.jsonl"), "data file not found: gone.jsonl"),
    Case("data-extension", ("--dataset", "d.csv"), "d.csv: unknown CSV layout; give dataset.fields", {"d.csv": "q,a\n"}),
    Case("data-bad-json-line", ("--dataset", "d.jsonl"), "d.jsonl:2: not valid JSON",
         {"d.jsonl": GOOD_ROW + "\n{oops\n"}),
    Case("data-not-object", ("--dataset", "d.jsonl"), "d.jsonl:1: expected a JSON object, got list",
         {"d.jsonl": "[1, 2]\n"}),
    Case("data-missing-field", ("--dataset", "d.jsonl"), "d.jsonl:1: field 'question' must be a non-empty string",
         {"d.jsonl": '{"answer": "#### 4"}\n'}),
    Case("data-bad-answer", ("--dataset", "d.jsonl"), "d.jsonl:1: field 'answer' must end with '#### <number>'",
         {"d.jsonl": '{"question": "2+2?", "answer": "four"}\n'}),
    Case("data-empty", ("--dataset", "d.jsonl"), "d.jsonl: the data set has no examples", {"d.jsonl": "\n"}),
    Case("data-all-rows-skipped", ("--dataset", "d.jsonl", "--skip-bad-rows"),
         "the data set has no examples (2 bad rows skipped; first:", {"d.jsonl": "{bad\n[1]\n"}),
    Case("data-not-utf8", ("--dataset", "d.jsonl"), "d.jsonl: not UTF-8 text", {"d.jsonl": "\udcff"}),
    Case("data-unknown-builtin", ("--dataset", "builtin:chess"), "unknown built-in data set 'builtin:chess'"),
    # server answers
    Case("server-401", FAKE, "authentication failed (HTTP 401); check the API key variable", server=_server(status=401)),
    Case("server-500", FAKE, "HTTP 500: forced status 500", server=_server(status=500)),
    Case("server-404", ("--model", "openai:fake", "--base-url", "{url}/../nope", "--max-attempts", "1"),
         "HTTP 404", server=_server()),
    Case("server-malformed-json", FAKE, "the server's answer is not valid JSON",
         server=_server(faults={"malformed": 1.0})),
    Case("server-wrong-shape", FAKE, "the server answered with no choices", server=_server(body=b'{"id": "x"}')),
    Case("server-refuses-connection", ("--model", "openai:fake", "--base-url", "{closed}", "--max-attempts", "1"),
         "cannot connect to the server"),
    Case("server-hangs", (*FAKE, "--request-timeout", "0.2"), "request timed out",
         server=_server(faults={"hang": 1.0}, hang_s=1.0)),
    # run directories
    Case("resume-missing", ("--resume", "nowhere"), "nowhere/manifest.json is missing"),
    Case("resume-not-a-manifest", ("--resume", "r"), "r/manifest.json: not a promptbandit run manifest",
         {"r/manifest.json": "{}"}),
    Case("resume-broken-manifest", ("--resume", "r"), "r/manifest.json: not valid JSON",
         {"r/manifest.json": '{"config": '}),
    Case("resume-corrupt-steps", ("--resume", "r"), "r/steps.jsonl:1: malformed step record",
         {"r/manifest.json": '{"config": {}, "arms": [], "dataset": {}}', "r/steps.jsonl": "{not json}\n"}),
    Case("out-holds-a-run", ("--out", "r"), "r already holds a run: resume it with --resume r",
         {"r/manifest.json": "{}"}),
    Case("resume-with-other-settings", ("--resume", "r", "--steps", "30"),
         "--resume continues a run with the settings in its manifest; it takes only --max-calls",
         {"r/manifest.json": '{"config": {}, "arms": [], "dataset": {}}'}),
    Case("out-is-a-file", ("--out", "afile"), "afile: exists and is not a directory", {"afile": "x"}),
    Case("out-under-a-file", ("--out", "afile/run"), "afile/run: cannot create the run directory, afile is a file",
         {"afile": "x"}),
    Case("pair-not-a-number", ("--pair", "two"), "--pair: expected a whole number or 'all', got 'two'"),
    Case("budget-too-small", ("--policy", "successive-halving", "--budget", "12"),
         "budget: budget 12 is too small for successive-halving over 9 arms (it needs at least 36 model calls)"),
    Case("confidence-out-of-range", ("--confidence", "95"), "confidence: must be between 0 and 1"),
]


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


def _assert_no_broken_run_dir(root: Path, before: set[Path]) -> None:
    """Every run directory made by the command is complete enough to resume; no temp file is left."""
    assert not list(root.rglob("*.tmp")), "a temporary file was left behind"
    for manifest in root.rglob("manifest.json"):
        if manifest in before:
            continue
        json.loads(manifest.read_text())
        steps = manifest.parent / "steps.jsonl"
        if steps.exists():
            for line in steps.read_text().splitlines():
                json.loads(line)


def test_there_are_at_least_25_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_one_clear_line(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PB_TEST_NO_SUCH_KEY", raising=False)
    for name, text in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    before = set(tmp_path.rglob("manifest.json"))
    # A resumed run takes its settings from its manifest (and refuses others), so it gets only -q.
    defaults = ["-q"] if "--resume" in case.args else ["--steps", "3", "--cache", str(tmp_path / "cache.sqlite"), "-q"]
    server = FakeServer(case.server) if case.server else None
    with server or _Nothing():
        url = server.base_url if server else ""
        args = [a.replace("{url}", url).replace("{closed}", _closed_port_url()) for a in case.args]
        monkeypatch.setattr(sys, "argv", ["promptbandit", "run", *args, *defaults])
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("promptbandit: error: ")
    assert case.expected in lines[0], lines[0]
    assert "Traceback" not in err
    _assert_no_broken_run_dir(tmp_path, before)


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_skip_bad_rows_runs_on_the_good_rows_and_reports_the_bad_ones(tmp_path: Path) -> None:
    from promptbandit import runner
    from promptbandit.config import RunConfig

    data = tmp_path / "mixed.jsonl"
    data.write_text("\n".join([GOOD_ROW, "{broken", '{"question": "x?", "answer": "no marker"}', GOOD_ROW]) + "\n")
    with FakeServer() as server:
        result = runner.run(RunConfig(model="openai:fake", base_url=server.base_url, dataset=str(data),
                                      skip_bad_rows=True, steps=4, cache="", out=str(tmp_path / "run")))
    assert result.summary["skipped_rows"] == 2
    skipped = json.loads((tmp_path / "run" / "manifest.json").read_text())["dataset"]["skipped_rows"]
    assert [s.split(": ", 1)[0] for s in skipped] == [f"{data}:2", f"{data}:3"]
    assert {r.example_id for r in result.records} <= {"mixed-1", "mixed-4"}

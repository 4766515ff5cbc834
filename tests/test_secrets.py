"""An API key given through its environment variable never reaches any file, log line or message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastsafe_support import cli_env, run_cli
from promptbandit.fakeserver import FakeServer, ServerSettings

KEY = "sk-planted-Zq8Kx3Vn0Rm7Tb2Lw5Hj9Pd4"


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_planted_key_is_sent_to_the_server_but_written_nowhere(tmp_path: Path) -> None:
    env = cli_env(PB_PLANTED_KEY=KEY, PROMPTBANDIT_CACHE_DIR=str(tmp_path / "user-cache"))
    with FakeServer(ServerSettings(latency_s=0.001)) as server:
        # The key sits in the URL as well (user info and query): neither may leak either.
        url = server.base_url.replace("http://", f"http://user:{KEY}@") + f"?api_key={KEY}"
        ok = run_cli("--model", "openai:fake", "--base-url", server.base_url, "--api-key-env", "PB_PLANTED_KEY",
                     "--steps", "12", "--concurrency", "4", "--out", str(tmp_path / "run"),
                     "--cache", str(tmp_path / "responses.sqlite"), "--jsonl", env=env)
        failed = run_cli("--model", "openai:fake", "--base-url", url, "--api-key-env", "PB_PLANTED_KEY",
                         "--steps", "2", "--out", str(tmp_path / "run2"), "--max-attempts", "1",
                         "--cache", str(tmp_path / "responses.sqlite"), env=env)
        seen = set(server.authorizations)
    assert ok.returncode == 0, ok.stderr
    assert f"Bearer {KEY}" in seen, "the test only means something if the key was really used"
    assert (tmp_path / "responses.sqlite").stat().st_size > 0
    written = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert {"manifest.json", "steps.jsonl", "summary.json", "policy.png", "responses.sqlite"} <= set(written)
    assert _files_containing(tmp_path, KEY.encode()) == []
    for output in (ok.stdout, ok.stderr, failed.stdout, failed.stderr):
        assert KEY not in output


def test_a_key_that_the_server_sends_back_is_cut_out_of_errors_replies_cache_and_report(tmp_path: Path) -> None:
    env = cli_env(PB_PLANTED_KEY=KEY, PROMPTBANDIT_CACHE_DIR=str(tmp_path / "user-cache"))
    settings = ServerSettings(faults={"500": 0.4}, echo_auth=True, seed=3)
    with FakeServer(settings) as server:
        run = run_cli("--model", "openai:fake", "--base-url", server.base_url, "--api-key-env", "PB_PLANTED_KEY",
                      "--steps", "20", "--max-attempts", "3", "--out", str(tmp_path / "run"),
                      "--cache", str(tmp_path / "responses.sqlite"), env=env)
        dead = run_cli("--model", "openai:fake", "--base-url", server.base_url, "--api-key-env", "PB_PLANTED_KEY",
                       "--steps", "2", "--max-attempts", "1", "--out", str(tmp_path / "run2"), "--no-cache",
                       env=cli_env(PB_PLANTED_KEY=KEY, PROMPTBANDIT_CACHE_DIR=str(tmp_path / "user-cache")))
        assert server.counts["500"] > 0 and server.counts["ok"] > 0, "the server must really have echoed the key"
    assert run.returncode == 0, run.stderr
    report = subprocess.run([sys.executable, "-m", "promptbandit", "report", str(tmp_path / "run")], env=env,
                            capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    steps = (tmp_path / "run" / "steps.jsonl").read_text()
    assert "[redacted]" in steps, "the echoed key is shown as redacted"
    assert _files_containing(tmp_path, KEY.encode()) == []
    for output in (run.stdout, run.stderr, dead.stdout, dead.stderr, report.stdout):
        assert KEY not in output

"""Bad input on the command line: one clear line, exit 2, no traceback, no run directory left behind."""

from pathlib import Path

import pytest

from conftest import assert_one_line_error, run_cli


@pytest.fixture
def bad_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "q", "answer": "#### 1"}\n{"question": oops}\n')
    return path


def test_missing_data_file(tmp_path: Path) -> None:
    result = run_cli("run", "--dataset", "missing.jsonl", "--out", "r", cwd=tmp_path)
    assert_one_line_error(result, "data file not found: missing.jsonl")
    assert not (tmp_path / "r").exists()


def test_malformed_jsonl_line(tmp_path: Path, bad_jsonl: Path) -> None:
    result = run_cli("run", "--dataset", str(bad_jsonl), "--out", "r", cwd=tmp_path)
    assert_one_line_error(result, "bad.jsonl:2: not valid JSON")
    assert not (tmp_path / "r").exists()


def test_unknown_arm_set(tmp_path: Path) -> None:
    result = run_cli("run", "--arms", "celebrities", "--out", "r", cwd=tmp_path)
    assert_one_line_error(result, "unknown arm set 'celebrities'")
    assert not (tmp_path / "r").exists()


def test_unreachable_server(tmp_path: Path) -> None:
    result = run_cli("run", "--model", "openai:any", "--base-url", "http://127.0.0.1:9/v1", "--out", "r",
                     "--no-cache", cwd=tmp_path, timeout=120)
    assert_one_line_error(result, "cannot connect to the server")
    assert not (tmp_path / "r").exists()


def test_missing_api_key_for_openai(tmp_path: Path) -> None:
    result = run_cli("run", "--model", "openai:gpt-4o-mini", "--api-key-env", "PB_TEST_NO_SUCH_KEY", "--out", "r",
                     cwd=tmp_path)
    assert_one_line_error(result, "set the environment variable PB_TEST_NO_SUCH_KEY")


def test_malformed_config_file(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("steps: -3\n")
    result = run_cli("run", "c.yaml", cwd=tmp_path)
    assert_one_line_error(result, "steps: must be at least 1")


def test_bad_policy_parameter(tmp_path: Path) -> None:
    result = run_cli("run", "--policy", "ucb1", "--lr", "0.1", "--out", "r", cwd=tmp_path)
    assert_one_line_error(result, "policy_params: ucb1 does not take these parameters")
    assert not (tmp_path / "r").exists()


def test_existing_run_directory_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "manifest.json").write_text("{}")
    result = run_cli("run", "--out", "r", cwd=tmp_path)
    assert_one_line_error(result, "already holds a run")
    assert (tmp_path / "r" / "manifest.json").read_text() == "{}"

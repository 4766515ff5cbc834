"""Command line: parse arguments, load config, call one function, print. No logic of its own."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from promptbandit import runner
from promptbandit.config import RunConfig, load_config, with_overrides
from promptbandit.errors import ConfigError, PromptBanditError
from promptbandit.progress import JsonLines, ProgressBar, summary_table
from promptbandit.report.build import write_comparison, write_report
from promptbandit.report.validation_table import validation_table
from promptbandit.validation import validate as validate_run

app = typer.Typer(add_completion=False, no_args_is_help=False, pretty_exceptions_enable=False,
                  help="Find the prompt prefix that makes a language model do best on a task.")


@app.callback()
def _root() -> None:
    """Find the prompt prefix that makes a language model do best on a task."""


@app.command()
def run(
    config_file: Annotated[Path | None, typer.Argument(help="YAML or JSON config file.")] = None,
    name: Annotated[str | None, typer.Option(help="Run name (used in the default run directory).")] = None,
    dataset: Annotated[str | None, typer.Option(help="builtin:arithmetic, hf:<hub id>, or a data file or folder.")] = None,
    arms: Annotated[list[str] | None, typer.Option(help="Arm set name or file; repeat or comma-separate.")] = None,
    baseline: Annotated[bool | None, typer.Option("--baseline", help="Add the no-prefix arm.")] = None,
    placement: Annotated[str | None, typer.Option(help="Prefix as 'system' message or start of 'user' message.")] = None,
    model: Annotated[str | None, typer.Option(help="local, local:<file.gguf> or openai:<model>.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server root, e.g. http://127.0.0.1:8080/v1.")] = None,
    api_key_env: Annotated[str | None, typer.Option(help="Environment variable that holds the API key.")] = None,
    policy: Annotated[str | None, typer.Option(help="reinforce, ucb1, thompson, epsilon-greedy, uniform, cs-elimination, "
                                                     "successive-halving or successive-rejects.")] = None,
    lr: Annotated[float | None, typer.Option(help="REINFORCE learning rate.")] = None,
    steps: Annotated[int | None, typer.Option(help="Number of steps (default 200, or what --budget allows).")] = None,
    pair: Annotated[str | None, typer.Option(
        "--pair", "--arms-per-step", help="Arms evaluated on each step's question: 1, k or 'all' (paired steps).")] = None,
    confidence: Annotated[float | None, typer.Option(
        help="Stop once one arm is the best with this confidence (e.g. 0.95), by an anytime-valid test.")] = None,
    budget: Annotated[int | None, typer.Option(help="Model calls for the whole run (fixed-budget policies plan for it).")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Requests in flight at once.")] = None,
    update_lag: Annotated[
        int | None, typer.Option(help="Step t is chosen after the rewards of steps up to t-lag (default: concurrency).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Generation limit (default: the data set's).")] = None,
    out: Annotated[str | None, typer.Option(help="Run directory (default runs/<time>-<name>).")] = None,
    cache: Annotated[str | None, typer.Option(help="Response cache file (default: user cache dir).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the response cache.")] = False,
    resume: Annotated[Path | None, typer.Option(help="Continue an interrupted run directory.")] = None,
    max_calls: Annotated[int | None, typer.Option(help="Hard cap on requests sent for the whole run.")] = None,
    max_total_tokens: Annotated[int | None, typer.Option(help="Hard cap on prompt + completion tokens.")] = None,
    max_cost: Annotated[float | None, typer.Option(help="Hard cap in US dollars (needs the model's price).")] = None,
    max_attempts: Annotated[int | None, typer.Option(help="Tries per request on 429, 5xx, timeouts.")] = None,
    request_timeout: Annotated[float | None, typer.Option(help="Seconds per request before it is retried.")] = None,
    on_failure: Annotated[str | None, typer.Option(help="After a step fails all its tries: continue or stop.")] = None,
    skip_bad_rows: Annotated[bool | None, typer.Option("--skip-bad-rows", help="Skip malformed data rows (counted).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table; print the run directory.")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print each step as a JSON line instead of a progress bar.")] = False,
) -> None:
    """Run a bandit over prompt prefixes and write a run directory."""
    config = load_config(config_file) if config_file else RunConfig()
    overrides = {
        "name": name, "dataset": dataset, "baseline": baseline, "placement": placement, "model": model, "base_url": base_url,
        "api_key_env": api_key_env, "policy": policy, "steps": steps, "concurrency": concurrency,
        "update_lag": update_lag, "seed": seed, "temperature": temperature, "max_tokens": max_tokens, "out": out,
        "cache": "" if no_cache else cache,
        "arms": tuple(a.strip() for item in arms for a in item.split(",") if a.strip()) if arms else None,
        "policy_params": {**config.policy_params, "lr": lr} if lr is not None else None,
        "max_attempts": max_attempts, "request_timeout": request_timeout, "on_failure": on_failure,
        "skip_bad_rows": skip_bad_rows, "confidence": confidence, "budget": budget,
        "arms_per_step": _per_step(pair),
    }
    caps = {"max_calls": max_calls, "max_total_tokens": max_total_tokens, "max_cost": max_cost}
    if resume is not None:
        given = [_FLAGS.get(k, "--" + k.replace("_", "-")) for k, v in overrides.items() if v is not None]
        given += [str(config_file)] if config_file else []
        if given:
            raise ConfigError(f"--resume continues a run with the settings in its manifest; it takes only --max-calls, "
                              f"--max-total-tokens and --max-cost (got {', '.join(given)})")
    config = with_overrides(config, {**overrides, **caps})
    if resume is None and config.out is None:
        # Fixed now so that an interrupted run can name the directory to resume.
        config = with_overrides(config, {"out": str(runner.default_run_dir(config, datetime.now(UTC)))})
    err = Console(stderr=True)
    try:
        if quiet or jsonl:
            result = runner.run(config, observers=[JsonLines()] if jsonl else [], resume=resume, caps=caps)
        else:
            result = _run_with_bar(config, resume, err, caps)
    except KeyboardInterrupt:
        where = resume or config.out
        err.print(f"interrupted: every finished step is saved. Continue with: promptbandit run --resume {where}",
                  soft_wrap=True)
        raise typer.Exit(130) from None
    if result.summary.get("skipped_rows"):
        err.print(f"skipped {result.summary['skipped_rows']} malformed data rows (listed in manifest.json)",
                  soft_wrap=True)
    if result.stopped:
        err.print(f"stopped: {result.stopped}. Raise the cap and continue with: promptbandit run --resume "
                  f"{result.run_dir} --max-calls/--max-total-tokens/--max-cost ...", soft_wrap=True)
    if quiet or jsonl:
        if quiet:
            print(result.run_dir)
        return
    out_console = _stdout_console()
    out_console.print(summary_table(result.summary))
    best = result.summary["best_arm"]
    verdict = "clearly ahead of the runner-up" if best["separated_from_runner_up"] else \
        "not separated from the runner-up (overlapping 95% intervals)"
    out_console.print(f"best arm: [bold]{best['name']}[/] (mean {best['mean_reward']}), {verdict}")
    pick = (result.summary.get("identification") or {}).get("recommended")
    if pick and pick != best["name"]:
        out_console.print(f"(means above are over different questions per arm; the policy's pick, {pick}, beat the "
                          "arms it eliminated on the questions they shared)")
    ident = result.summary.get("identification") or {}
    if ident.get("confidence") is not None and (ident.get("paired") or ident.get("confidence_target")):
        test = "paired" if ident["paired"] else "unpaired"
        out_console.print(f"recommended: [bold]{ident['recommended']}[/], best with confidence {ident['confidence']:.3f} "
                          f"({test} anytime-valid test); gap to {ident['runner_up']}: {ident['gap']:+.3f} "
                          f"(95% {ident['gap_interval'][0]:+.3f} to {ident['gap_interval'][1]:+.3f}, "
                          f"{ident['questions_compared']} questions); stopped by {ident['stopped_by']}")
    sent = (result.summary.get("cache") or {}).get("misses", result.model_calls)
    out_console.print(f"requests sent to the model: {sent}, "
                      f"answers served from the cache: {result.summary['cached_responses']}")
    out_console.print(f"run directory: {result.run_dir}")
    out_console.print(f"to read every answer: promptbandit report {result.run_dir}")


def _stdout_console() -> Console:
    """Tables at the terminal's width; piped into a file or another program, wide enough not to cut words."""
    return Console() if sys.stdout.isatty() else Console(width=160)


_FLAGS = {"arms_per_step": "--pair", "cache": "--cache/--no-cache", "policy_params": "--lr"}


def _per_step(value: str | None) -> int | str | None:
    if value is None or value == "all":
        return value
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"--pair: expected a whole number or 'all', got {value!r}") from None


@app.command()
def validate(
    run_dir: Annotated[Path, typer.Argument(help="A finished run directory.")],
    top: Annotated[int, typer.Option(help="How many of the run's best arms to test against no prefix.")] = 3,
    split: Annotated[str, typer.Option(help="validation (held out), train or all.")] = "validation",
    limit: Annotated[int | None, typer.Option(help="Use only the first N items of the split.")] = None,
) -> None:
    """Test a run's top arms against the no-prefix baseline on held-out items; writes validation.json."""
    if split not in ("validation", "train", "all"):
        raise ConfigError(f"--split: {split!r} is not one of validation, train, all")
    report = validate_run(run_dir, top=top, split=split, limit=limit)
    console = _stdout_console()
    console.print(validation_table(report))
    console.print(report["conclusion"])
    console.print(f"wrote {run_dir / 'validation.json'}")


def _run_with_bar(
    config: RunConfig, resume: Path | None, err: Console, caps: dict[str, float | None],
) -> runner.RunResult:
    with ProgressBar(err) as bar:
        return runner.run(config, observers=[bar], resume=resume, caps=caps)


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory.")],
    out: Annotated[Path | None, typer.Option(help="Output file (default RUN_DIR/report.html).")] = None,
) -> None:
    """Write a self-contained HTML report of a run (plots, arm table, rollout browser) and print its path."""
    print(write_report(run_dir, out))


@app.command()
def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="Run directories to compare.")],
    out: Annotated[Path, typer.Option(help="Write <out>.md and <out>.csv.")] = Path("compare"),
) -> None:
    """Table of the best arm and its score per run, grouped by data set and model (Markdown and CSV)."""
    comparison, markdown_path, csv_path = write_comparison(run_dirs, out)
    print(comparison.markdown)
    print(f"written: {markdown_path} and {csv_path}")


def main() -> None:
    """Console entry point: errors we expect become one line on stderr and exit code 2."""
    try:
        app()
    except PromptBanditError as exc:
        print(f"promptbandit: error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()

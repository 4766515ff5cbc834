"""Record a real (arm x question) correctness matrix with the embedded model, for the replay benchmark.

Every arm of ``personas + controls`` (the six personas, the no-prefix baseline and the two controls) answers
every question of the niche-domain sets, in both framings (200 open short answers and 200 True/False
statements), through the same backend, cache and rewards a ``promptbandit run`` uses. Responses are cached,
so a second run makes no model calls. Writes ``docs/bench/matrix-domains.json``:
``{"arms": [...], "questions": [...], "correct": [[0/1 per question] per arm], ...}``.

    nice -n 10 python bench/record_matrix.py            # about 40 minutes on 2 cores the first time
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from promptbandit import runner
from promptbandit.config import RunConfig
from promptbandit.evaluate import Cell, evaluate

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ROOT.parent / "shared" / "data" / "domains"
FRAMINGS = ("open", "true_false")


async def record(domains: Path, model: str, limit: int | None) -> dict:
    arms_out: list[dict] = []
    questions: list[str] = []
    rows: list[list[int]] = []
    calls = {"done": 0, "cached": 0}
    started = time.monotonic()
    for framing in FRAMINGS:
        dataset: dict = {"source": str(domains), "framing": framing}
        if limit:
            dataset["limit"] = limit
        config = RunConfig(name=f"matrix-{framing}", dataset=dataset, arms=("personas", "controls"), model=model,
                           steps=1, out=str(ROOT / "runs" / "unused"))
        prepared = await runner.prepare(config)
        total = len(prepared.arms) * len(prepared.dataset.examples)

        def progress(cell: Cell, total: int = total, framing: str = framing) -> None:
            calls["done"] += 1
            if calls["done"] % 50 == 0:
                rate = calls["done"] / (time.monotonic() - started)
                print(f"{framing}: {calls['done']} calls, {rate:.2f}/s", file=sys.stderr, flush=True)

        try:
            cells = await evaluate(prepared.arms, prepared.dataset.examples, prepared.backend, prepared.reward,
                                   prepared.params, placement=config.placement, on_cell=progress)
        finally:
            await prepared.backend.aclose()
        if not arms_out:
            arms_out = [{"name": a.name, "prefix": a.prefix, "group": a.group} for a in prepared.arms]
            rows = [[] for _ in prepared.arms]
        questions += [f"{e.id}:{framing}" for e in prepared.dataset.examples]
        for index, arm_cells in enumerate(cells):
            rows[index] += [int(c.score is not None and c.score.value >= 1.0) for c in arm_cells]
        del total
    return {
        "description": "1 where the arm's answer was correct. Niche-domain questions from ../shared/data/domains in "
                       "two framings (open short answers, True/False statements), embedded model, temperature 0.",
        "model": model,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python bench/record_matrix.py",
        "arms": arms_out,
        "questions": questions,
        "correct": rows,
        "accuracy": {a["name"]: round(sum(r) / len(r), 4) for a, r in zip(arms_out, rows, strict=True)},
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=Path, default=DOMAINS, help="folder of the domain .jsonl files")
    parser.add_argument("--model", default="local", help="model spec, as for promptbandit run")
    parser.add_argument("--limit", type=int, default=None, help="questions per framing (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "matrix-domains.json")
    args = parser.parse_args()
    matrix = asyncio.run(record(args.domains, args.model, args.limit))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(matrix, indent=None, separators=(",", ":")) + "\n")
    print(f"{len(matrix['arms'])} arms x {len(matrix['questions'])} questions in {matrix['seconds']} s -> {args.out}")
    for name, acc in sorted(matrix["accuracy"].items(), key=lambda kv: -kv[1]):
        print(f"  {acc:.3f}  {name}")


if __name__ == "__main__":
    main()

"""Arm sets: built-in ones, files in YAML / JSON / plain text, and how a prefix becomes chat messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml

from promptbandit.errors import ArmsError
from promptbandit.types import Arm, Message

Placement = Literal["system", "user"]
BASELINE = Arm(name="no prefix", prefix="", group="baseline")

PERSONA_TEMPLATE = "Answer the task below as if you were {persona}."
KNOWLEDGE_TEMPLATE = (
    "You only know the things {persona} knows, and nothing else. "
    "Answer the task below only with the knowledge you, as {persona}, have."
)

# Each built-in set is the same data a user could write in an arms file.
BUILTIN_SETS: dict[str, dict[str, Any]] = {
    "personas": {
        "template": PERSONA_TEMPLATE,
        "personas": [
            "Albert Einstein",
            "Beyonce",
            "Quentin Tarantino",
            "Alan Turing",
            "Leonardo da Vinci",
            "Roger Federer",
        ],
    },
    "controls": {
        "arms": [
            {"name": "no prefix", "prefix": "", "group": "baseline"},
            {"name": "answer 42", "group": "control",
             "prefix": "Do not solve the problem. Your whole reply must be the number 42."},
            {"name": "banana", "group": "control",
             "prefix": "Do not solve the problem. Reply only with the word 'banana'."},
        ]
    },
    "knowledge-limited": {
        "template": KNOWLEDGE_TEMPLATE,
        "personas": ["Wolfgang Amadeus Mozart", "Roger Federer", "Albert Einstein", "Christopher Nolan", "Julia Child"],
    },
    "truth-tellers-liars": {
        "arms": [
            {"name": name, "prefix": PERSONA_TEMPLATE.format(persona=name), "group": group}
            for names, group in ((("George Washington", "Mahatma Gandhi", "Marie Curie"), "truth-teller"),
                                 (("Joseph Goebbels", "P.T. Barnum", "Frank Abagnale"), "liar"))
            for name in names
        ]
    },
    "traits": {
        "arms": [
            {"name": "first-principles", "prefix": "You are a first-principles thinker: you break every question "
             "down to what is known for certain and reason up from there."},
            {"name": "clarity", "prefix": "You are obsessed with clarity and simplicity: you give the plain answer "
             "first and leave out anything that does not help."},
            {"name": "1940s detective", "prefix": "You are a hard-boiled 1940s detective: you trust evidence, not "
             "rumours, and you say what the facts show."},
            {"name": "efficiency expert", "prefix": "You are a ruthless efficiency expert: you reach the correct "
             "answer by the shortest sound route and waste no words."},
            {"name": "historian", "prefix": "You are a wise historian: you have seen popular beliefs come and go, and "
             "you separate what is documented from what is merely repeated."},
            {"name": "sceptic", "prefix": "You are a careful sceptic: you doubt claims that sound too neat and check "
             "them against what you actually know."},
            {"name": "scientist", "prefix": "You are a meticulous scientist: you weigh the evidence, state your "
             "conclusion precisely and never overstate it."},
            {"name": "teacher", "prefix": "You are a patient teacher: you answer accurately and in a way a student "
             "could follow."},
            {"name": "fact-checker", "prefix": "You are a professional fact-checker: you flag myths and "
             "misconceptions and answer only with what holds up."},
            {"name": "judge", "prefix": "You are an impartial judge: you consider both sides on their merits and rule "
             "on the evidence alone."},
            {"name": "engineer", "prefix": "You are a pragmatic engineer: you care about what works in practice and "
             "give concrete, correct answers."},
            {"name": "poet", "prefix": "You are a romantic poet: you see the world through feeling and metaphor."},
        ]
    },
    "sanity-controls": {
        "arms": [
            {"name": "honest", "prefix": "Answer honestly.", "group": "control"},
            {"name": "misleading", "prefix": "Answer misleadingly.", "group": "control"},
            {"name": "output 42", "prefix": "Ignore the question and output 42.", "group": "control"},
        ]
    },
}


def render_messages(arm: Arm, prompt: str, placement: Placement = "system") -> list[Message]:
    """Turn an arm and a task prompt into chat messages.

    The baseline arm sends the prompt alone. Otherwise the prefix is the system message, or, with
    ``placement="user"``, stands before the prompt in the user message, separated by a blank line.

    >>> render_messages(Arm("t", "Be brief."), "2+2?", "user")
    [{'role': 'user', 'content': 'Be brief.\\n\\n2+2?'}]
    """
    if arm.is_baseline:
        return [{"role": "user", "content": prompt}]
    if placement == "user":
        return [{"role": "user", "content": f"{arm.prefix}\n\n{prompt}"}]
    return [{"role": "system", "content": arm.prefix}, {"role": "user", "content": prompt}]


def load_arms(specs: Sequence[str], *, baseline: bool = False) -> tuple[Arm, ...]:
    """Load and join arm sets, each a built-in name or a file path; duplicates (same prefix) are dropped.

    Args:
        specs: built-in set names (see `BUILTIN_SETS`) or paths to .yaml/.yml/.json/.txt files.
        baseline: put the no-prefix baseline first when no set already has it.

    Raises:
        ArmsError: an unknown set, a missing file, or a malformed one.
    """
    arms: list[Arm] = []
    for spec in specs:
        arms.extend(_load_one(spec))
    if baseline:
        arms.insert(0, BASELINE)
    unique: dict[str, Arm] = {}
    for arm in arms:
        unique.setdefault(arm.prefix, arm)
    if not unique:
        raise ArmsError("no arms: give at least one arm set or prefix")
    names = [arm.name for arm in unique.values()]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ArmsError(f"two different arms share the name {repeated[0]!r}; give them distinct names")
    return tuple(unique.values())


def _load_one(spec: str) -> list[Arm]:
    if spec in BUILTIN_SETS:
        return parse_arms(BUILTIN_SETS[spec], source=f"built-in set {spec!r}")
    path = Path(spec)
    if path.suffix.lower() not in {".yaml", ".yml", ".json", ".txt"}:
        known = ", ".join(sorted(BUILTIN_SETS))
        raise ArmsError(f"unknown arm set {spec!r}: use one of {known} or a .yaml/.json/.txt file")
    if not path.is_file():
        raise ArmsError(f"arms file not found: {spec}")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".txt":
        lines = [line.strip() for line in text.splitlines()]
        return parse_arms([line for line in lines if line and not line.startswith("#")], source=spec)
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ArmsError(f"{spec}: not valid {path.suffix[1:].upper()}: {_first_line(exc)}") from None
    return parse_arms(data, source=spec)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def parse_arms(data: Any, *, source: str) -> list[Arm]:
    """Build arms from parsed file content.

    Accepted shapes: a list of prefix strings; a list of ``{name, prefix, group}`` mappings; a mapping
    with ``arms:`` holding either list; or a mapping with ``template:`` (containing ``{persona}``) and
    ``personas:`` (a list of names). A mapping may hold both ``arms`` and ``template``.
    """
    if isinstance(data, list):
        return [_arm_from_item(item, source, i) for i, item in enumerate(data, start=1)]
    if not isinstance(data, dict):
        raise ArmsError(f"{source}: expected a list of prefixes or a mapping with 'arms' or 'template'")
    unknown = set(data) - {"arms", "template", "personas", "group"}
    if unknown:
        raise ArmsError(f"{source}: unknown key {sorted(unknown)[0]!r} (allowed: arms, template, personas, group)")
    arms: list[Arm] = []
    if "arms" in data:
        if not isinstance(data["arms"], list):
            raise ArmsError(f"{source}: 'arms' must be a list")
        arms.extend(_arm_from_item(item, source, i) for i, item in enumerate(data["arms"], start=1))
    if "template" in data or "personas" in data:
        arms.extend(_from_template(data, source))
    if not arms:
        raise ArmsError(f"{source}: no arms found")
    return arms


def _from_template(data: dict[str, Any], source: str) -> Iterable[Arm]:
    template, personas = data.get("template"), data.get("personas")
    if not isinstance(template, str) or "{persona}" not in template:
        raise ArmsError(f"{source}: 'template' must be a string containing {{persona}}")
    if not isinstance(personas, list) or not personas or not all(isinstance(p, str) and p.strip() for p in personas):
        raise ArmsError(f"{source}: 'personas' must be a non-empty list of names")
    group = str(data.get("group", ""))
    try:
        return [Arm(name=p.strip(), prefix=template.format(persona=p.strip()), group=group) for p in personas]
    except (KeyError, IndexError, ValueError) as exc:
        raise ArmsError(f"{source}: 'template' may only use the {{persona}} placeholder ({exc})") from None


def _arm_from_item(item: Any, source: str, index: int) -> Arm:
    if isinstance(item, str):
        prefix = item.strip()
        return Arm(name=short_name(prefix), prefix=prefix, group="" if prefix else "baseline")
    if isinstance(item, dict):
        raw = item.get("prefix")
        if not isinstance(raw, str):
            raise ArmsError(f"{source}: arm {index} needs a string 'prefix'")
        prefix = raw
        name = str(item.get("name") or short_name(prefix))
        unknown = set(item) - {"name", "prefix", "group"}
        if unknown:
            raise ArmsError(f"{source}: arm {index} has unknown key {sorted(unknown)[0]!r}")
        group = item.get("group") or ("" if prefix.strip() else "baseline")
        return Arm(name=str(name), prefix=prefix.strip(), group=str(group))
    raise ArmsError(f"{source}: arm {index} must be a string or a mapping with 'prefix'")


def short_name(prefix: str, width: int = 40) -> str:
    """A label for a literal prefix: the prefix itself, cut at a word boundary."""
    if not prefix:
        return BASELINE.name
    if len(prefix) <= width:
        return prefix
    return prefix[:width].rsplit(" ", 1)[0] + "..."

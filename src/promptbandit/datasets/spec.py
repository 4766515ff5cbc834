"""What the config's ``dataset`` value means: a plain source string or a mapping with framing and split options."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

from promptbandit.errors import ConfigError

FormatName = Literal["auto", "gsm8k", "arc", "truthfulqa", "ultrafeedback", "domains", "generic"]
FramingName = Literal["default", "true_false", "mc1", "open"]
AnswerTypeName = Literal["text", "number", "bool", "choice"]


@dataclass(frozen=True)
class DatasetSpec:
    """A data source and how to frame and split it.

    Attributes:
        source: ``builtin:arithmetic``, ``hf:<hub id>``, a file, or a directory (the domain sets).
        format: which loader reads it; ``auto`` looks at the file (name, header or first record).
        framing: ``true_false`` (TruthfulQA, UltraFeedback, domains), ``mc1`` (TruthfulQA ``mc_task.json``),
            ``open`` (domains' short answers); ``default`` is the source's natural framing.
        fields: for ``generic`` files, our field (question, answer, id, aliases) -> their column.
        answer_type: for ``generic`` files, how answers compare (text, number, bool, choice).
        template: for ``generic`` files, a prompt with ``{column}`` placeholders.
        domains: keep only these ``domain`` values (domain sets).
        max_chars: cut long texts (UltraFeedback responses) to this many characters; 0 keeps them whole.
        limit: keep a seeded random subset of this many items (before the split); None keeps all.
        validation: held-out share (a fraction below 1) or count of items; 0 holds out nothing.
        seed: seeds the framing (True/False balance, option order), the subset and the split; the run's own
            seed never changes which items are held out.
    """

    source: str
    format: FormatName = "auto"
    framing: FramingName = "default"
    fields: dict[str, str] = field(default_factory=dict)
    answer_type: AnswerTypeName = "text"
    template: str | None = None
    domains: tuple[str, ...] = ()
    max_chars: int = 1200
    limit: int | None = None
    validation: float | int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        for name, allowed in (("format", FormatName), ("framing", FramingName), ("answer_type", AnswerTypeName)):
            if getattr(self, name) not in get_args(allowed):
                raise ConfigError(f"dataset.{name}: {getattr(self, name)!r} is not one of {', '.join(get_args(allowed))}")
        if not self.source:
            raise ConfigError("dataset.source: give a data set name or path")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"dataset.limit: must be at least 1, got {self.limit}")
        if isinstance(self.validation, bool) or not isinstance(self.validation, int | float) or self.validation < 0:
            raise ConfigError(f"dataset.validation: must be a fraction below 1 or a count, got {self.validation!r}")
        if isinstance(self.validation, float) and self.validation >= 1:
            raise ConfigError(f"dataset.validation: a fraction must be below 1, got {self.validation}")


_TYPES: dict[str, tuple[type, ...]] = {
    "source": (str,), "format": (str,), "framing": (str,), "fields": (dict,), "answer_type": (str,),
    "template": (str, type(None)), "domains": (list, str), "max_chars": (int,), "limit": (int, type(None)),
    "validation": (int, float), "seed": (int,),
}


def dataset_spec(value: str | dict[str, Any]) -> DatasetSpec:
    """Read the config's ``dataset`` value.

    Raises:
        ConfigError: an unknown key or a value of the wrong type, naming the key.
    """
    if isinstance(value, str):
        return DatasetSpec(source=value)
    allowed = {f.name for f in fields(DatasetSpec)}
    for key, item in value.items():
        if key not in allowed:
            raise ConfigError(f"dataset: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
        if isinstance(item, bool) or not isinstance(item, _TYPES[key]):
            raise ConfigError(f"dataset.{key}: wrong type {type(item).__name__} ({item!r})")
    if "source" not in value:
        raise ConfigError("dataset: a mapping needs 'source'")
    values = dict(value)
    if "domains" in values:
        domains = values["domains"]
        values["domains"] = tuple(d.strip() for d in domains.split(",")) if isinstance(domains, str) \
            else tuple(str(d) for d in domains)
    if "fields" in values and not all(isinstance(k, str) and isinstance(v, str) for k, v in values["fields"].items()):
        raise ConfigError("dataset.fields: must map field names to column names (strings)")
    return DatasetSpec(**values)


def spec_to_dict(spec: DatasetSpec) -> dict[str, Any]:
    """The spec as plain data for the manifest (lists instead of tuples)."""
    data = {f.name: getattr(spec, f.name) for f in fields(spec)}
    data["domains"] = list(spec.domains)
    data["fields"] = dict(spec.fields)
    return data

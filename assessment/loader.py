"""Strict loading of criteria files.

* YAML duplicate keys are errors (PyYAML silently keeps the last one).
* Unknown keys are errors (the pydantic models forbid extras).
* Every problem in one pass is reported as ``file: id: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.id}: {self.message}"


class CriteriaError(Exception):
    """One or more problems in criteria files; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _StrictLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class YamlError(ValueError):
    pass


def parse_yaml(text: str, name: str = "<input>") -> Any:
    """Parse YAML text strictly; raise :class:`YamlError` with a one-line message."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"{name}: YAML error{where}: {problem}") from None


def parse_document(text: str, name: str) -> Any:
    """A JSON (by the .json suffix) or strict YAML document; raise YamlError with a one-line message."""
    if name.endswith(".json"):
        import json

        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise YamlError(f"{name}: JSON error at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return parse_yaml(text, name)


def read_document(path: Path) -> Any:
    """Read and parse an input file (answers, profile); every problem is a one-line YamlError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(f"{path}: cannot read file: {exc}") from None
    return parse_document(text, str(path))


def read_yaml(path: Path, label: str, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.append(Problem(label, "-", f"cannot read file: {exc.strerror}"))
        return None
    try:
        return parse_yaml(text, label)
    except YamlError as exc:
        problems.append(Problem(label, "-", str(exc).split(": ", 1)[1]))
        return None


def _item_id(raw: Any, loc: tuple) -> str:
    """The id of the innermost object along ``loc`` that has one (for error messages)."""
    found = "-"
    node = raw
    for part in loc:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, dict) and isinstance(node.get("id"), str):
        found = node["id"]
    return found


def _loc_text(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def validate(model: type[T], raw: Any, label: str, problems: list[Problem]) -> T | None:
    if raw is None:
        problems.append(Problem(label, "-", "file is empty"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            problems.append(Problem(label, _item_id(raw, loc), f"{_loc_text(loc)}: {msg}"))
        return None


def load_file(path: Path, root: Path, model: type[T], problems: list[Problem]) -> T | None:
    label = _label(path, root)
    before = len(problems)
    raw = read_yaml(path, label, problems)
    if len(problems) > before:  # unreadable or not YAML: already reported
        return None
    return validate(model, raw, label, problems)


def _label(path: Path, root: Path) -> str:
    try:
        return str(Path("criteria") / path.relative_to(root))
    except ValueError:
        return str(path)


def check_unique(label: str, what: str, ids, problems: list[Problem]) -> None:
    """Report every id that occurs more than once, as ``label: id: duplicate <what>``."""
    seen: set = set()
    reported: set = set()
    for key in ids:
        if key in seen and key not in reported:
            problems.append(Problem(label, key, f"duplicate {what}"))
            reported.add(key)
        seen.add(key)


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise CriteriaError(problems)


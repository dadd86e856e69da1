"""Strict loading of criteria files and of input documents (answers, profiles), in one place.

* YAML duplicate keys are errors (PyYAML silently keeps the last one); keys must be hashable scalars.
* Unknown keys are errors (the pydantic models forbid extras).
* Every problem in one pass is reported as ``file: id: message``.
* Input is bounded before it is trusted: regular files only, a size limit, at most ``MAX_DEPTH`` levels of nesting and
  ``MAX_NODES`` values once aliases are expanded (a 500-byte alias bomb is refused, not expanded), numbers of at most
  ``MAX_NUMBER_CHARS`` characters and never infinite or NaN. A malformed document is one :class:`YamlError` line.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


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


MAX_INPUT_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 1_000_000
MAX_NUMBER_CHARS = 32


class YamlError(ValueError):
    pass


def _bounded(root: yaml.Node | None) -> None:
    """Refuse a composed document that nests deeper than MAX_DEPTH or expands to more than MAX_NODES values."""
    if root is None:
        return
    size: dict[int, int] = {}

    def walk(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels")
        if id(node) in size:  # an alias: the same node again, counted again when expanded
            return size[id(node)]
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(walk(child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(walk(k, depth + 1) + walk(v, depth + 1) for k, v in node.value)
        if total > MAX_NODES:
            raise yaml.YAMLError(f"expands to more than {MAX_NODES:,} values (aliases)")
        size[id(node)] = total
        return total

    walk(root, 0)


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML was built with it (5–10× faster)


class _StrictLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    def get_single_node(self):
        node = super().get_single_node()
        _bounded(node)
        return node


def _number_text(loader: _StrictLoader, node: yaml.ScalarNode) -> str:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of more than {MAX_NUMBER_CHARS} characters", node.start_mark
        )
    return node.value


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int:
    _number_text(loader, node)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_float(loader: _StrictLoader, node: yaml.ScalarNode) -> float:
    _number_text(loader, node)
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        raise yaml.constructor.ConstructorError(None, None, "infinite and NaN numbers are not allowed", node.start_mark)
    return value


def _construct_timestamp(loader: _StrictLoader, node: yaml.ScalarNode):
    """A YAML date or timestamp; an impossible one (2026-13-45) is a YAML error at its line, never a traceback."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark
        ) from None


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value, not a list or mapping", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def parse_yaml(text: str, name: str = "<input>") -> Any:
    """Parse YAML text strictly; raise :class:`YamlError` with a one-line message."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"{name}: YAML error{where}: {problem}") from None
    except RecursionError:
        raise YamlError(f"{name}: YAML error: nested too deeply") from None


def _json_number(text: str, kind):
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of more than {MAX_NUMBER_CHARS} characters")
    return kind(text)


def _json_constant(text: str):
    raise ValueError(f"{text} is not allowed")


def _json_depth(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for v in value.values():
            _json_depth(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _json_depth(v, depth + 1)


def parse_document(text: str, name: str) -> Any:
    """A JSON (by the .json suffix) or strict YAML document; raise YamlError with a one-line message."""
    if len(text) > MAX_INPUT_BYTES:
        raise YamlError(f"{name}: larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    if name.endswith(".json"):
        try:
            doc = json.loads(
                text,
                parse_int=lambda t: _json_number(t, int),
                parse_float=lambda t: _json_number(t, float),
                parse_constant=_json_constant,
            )
            _json_depth(doc)
            return doc
        except json.JSONDecodeError as exc:
            raise YamlError(f"{name}: JSON error at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except ValueError as exc:
            raise YamlError(f"{name}: JSON error: {exc}") from None
        except RecursionError:
            raise YamlError(f"{name}: JSON error: nested too deeply") from None
    return parse_yaml(text, name)


def read_input_bytes(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of an input file: a regular file of at most ``max_bytes`` (never a FIFO, device or /dev/zero)."""
    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NONBLOCK)) as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise YamlError(f"{path}: not a regular file")
            if st.st_size > max_bytes:
                raise YamlError(f"{path}: larger than {max_bytes // (1024 * 1024)} MB")
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise YamlError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise YamlError(f"{path}: is a directory") from None
    except OSError as exc:
        raise YamlError(f"{path}: cannot read file: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise YamlError(f"{path}: larger than {max_bytes // (1024 * 1024)} MB")
    return data


def read_document(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> Any:
    """Read and parse an input file (answers, profile); every problem is a one-line YamlError."""
    try:
        text = read_input_bytes(path, max_bytes).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(f"{path}: not UTF-8 text (byte {exc.start})") from None
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


# -- compiled criteria cache ------------------------------------------------------------------------------------------
#
# Parsing an edition's YAML and validating it is most of a CLI start. A loaded edition is kept as a pickle keyed by the
# sha256 of every file it was built from and of the code that builds it, so any change to the data or the loader makes a
# new key; an unreadable, foreign or stale entry is simply rebuilt. The folder is private to the user (0700) and an entry
# is only read from a folder the user owns that nobody else can write.

CACHE_ENV = "SFA_CACHE_DIR"
# the code whose objects the cache holds or whose checks decide what loads: a change to any of it renews the cache
_CODE = tuple(
    Path(__file__).resolve().parent / name
    for name in (
        "schema.py",
        "loader.py",
        "editions.py",
        "rules.py",
        "catalogue.py",
        "scenarios.py",
        "tiering.py",
        "tiers.py",
        "programmes.py",
        "declarations.py",
    )
)


def cache_dir() -> Path:
    base = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "smartfactory-assessment"
    )
    return Path(base)


def _private_dir(path: Path) -> bool:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


_digests: dict[tuple[str, int, int], bytes] = {}  # (path, mtime_ns, size) -> sha256 of the content, per process


def _digest(path: Path) -> bytes:
    """sha256 of a file's content, read once per version of the file (its mtime and size) in this process: one
    evaluation loads several editions, each keyed by every criteria file."""
    try:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
        if key not in _digests:
            _digests[key] = hashlib.sha256(path.read_bytes()).digest()
        return _digests[key]
    except OSError:
        return b"<missing>"


def fingerprint(files: list[Path], *extra: str) -> str:
    """sha256 over the code that loads criteria, the given files (name and content) and ``extra`` strings."""
    h = hashlib.sha256(f"{sys.version_info[:2]}|{pickle.HIGHEST_PROTOCOL}".encode())
    for path in (*_CODE, *sorted(files)):
        h.update(str(path.name).encode() + b"\0")
        h.update(_digest(path))
    for e in extra:
        h.update(e.encode() + b"\0")
    return h.hexdigest()


def cached(kind: str, files: list[Path], build: Callable[[], R], *extra: str) -> R:
    """``build()``, or its result from the cache when ``files`` (and the loader's code) are unchanged."""
    folder = cache_dir()
    if os.environ.get(CACHE_ENV) == "off" or not _private_dir(folder):
        return build()
    entry = folder / f"{kind.replace('/', '_')}-{fingerprint(files, kind, *extra)}.pickle"
    try:
        with open(entry, "rb") as f:
            return pickle.load(f)  # noqa: S301 - our own private cache folder, keyed by content
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    value = build()
    tmp = entry.with_suffix(f".tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        tmp.unlink(missing_ok=True)
    return value

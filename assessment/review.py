"""Expert review records in the criteria files: ``review: {status, by, date, comment}`` on a requirement (issue 10).

``criteria review EDITION -o FILE.xlsx`` gives a domain expert every requirement of a maturity edition; ``criteria
review EDITION --import FILE.xlsx`` reads the verdicts back and this module writes them into the edition's
``requirements/<sub-domain>.yaml`` files.

Writing is a targeted insertion, never a dump of the whole file: each reviewed requirement gets a ``review:`` block
after its last line (or in place of the one it had), and every other line of the file, comments and layout included,
stays byte for byte. Before anything is written, each changed file is parsed again and must equal the old one plus
exactly the new review records, and must pass the strict schema; then all files are replaced, or none (a failed write
puts the earlier ones back).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .editions import DEFAULT_ROOT, MaturityEdition, load_maturity, load_maturity_cached
from .loader import Problem, YamlError, parse_yaml, validate
from .schema import RequirementsFile, Review, ReviewStatus

# the expert's verdicts in the sheet -> the status recorded
VERDICTS: dict[str, ReviewStatus] = {
    "approve": ReviewStatus.approved,
    "change": ReviewStatus.changes_requested,
    "reject": ReviewStatus.rejected,
}
VERDICT_LABELS = {"approve": "通过 approve", "change": "修改 change", "reject": "否决 reject"}
_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


class ReviewError(ValueError):
    """Review records cannot be written (one line; nothing was written)."""


def verdict(text: str | None) -> ReviewStatus | None:
    """The status a verdict cell stands for ("通过 approve", "通过", "approve", "approved"…), None for an empty cell;
    raises KeyError for anything else."""
    if text is None or not str(text).strip():
        return None
    t = str(text).strip()
    for key, label in VERDICT_LABELS.items():
        zh, en = label.split(" ", 1)
        if t.lower() in (label.lower(), zh, en, VERDICTS[key].value):
            return VERDICTS[key]
    raise KeyError(t)


@dataclass(frozen=True)
class Written:
    files: list[str]
    counts: dict[str, int]  # status -> requirements recorded
    replaced: int  # requirements that had a review record before


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#") and s != "-"


def _block(review: Review, indent: int) -> list[str]:
    pad = " " * indent
    out = [
        f"{pad}review:",
        f"{pad}  status: {review.status.value}",
        f"{pad}  by: {json.dumps(review.by, ensure_ascii=False)}",
        f'{pad}  date: "{review.date.isoformat()}"',
    ]
    if review.comment:
        out.append(f"{pad}  comment: {json.dumps(review.comment, ensure_ascii=False)}")
    return out


def place_reviews(text: str, reviews: dict[str, Review], label: str) -> tuple[str, int]:
    """``text`` of a requirements file with a review block for each id of ``reviews`` (replacing one it had), and the
    number replaced. Only those lines change."""
    if any(b in text for b in _LINE_BREAKS):
        raise ReviewError(f"{label}: has line breaks other than LF; cannot place review records safely")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ReviewError(f"{label}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(root, yaml.MappingNode):
        raise ReviewError(f"{label}: not a requirements file")
    root_starts = [k.start_mark.line for k, _ in root.value]
    seq = next((v for k, v in root.value if getattr(k, "value", None) == "requirements"), None)
    if not isinstance(seq, yaml.SequenceNode):
        raise ReviewError(f"{label}: no requirements list")
    lines = text.split("\n")
    items = []  # (start line, end line, item node, id)
    for i, item in enumerate(seq.value):
        if not isinstance(item, yaml.MappingNode) or item.flow_style:
            raise ReviewError(f"{label}: requirement {i + 1} is not a block mapping; add its review by hand")
        rid = next((v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), None)
        start = item.start_mark.line
        if i + 1 < len(seq.value):
            end = seq.value[i + 1].start_mark.line
        else:
            end = min([s for s in root_starts if s > start] or [len(lines)])
        items.append((start, end, item, rid))
    found = {rid for *_, rid in items}
    missing = sorted(set(reviews) - found)
    if missing:
        raise ReviewError(f"{label}: no requirement {missing[0]} in this file")
    replaced = 0
    for start, end, item, rid in sorted(items, key=lambda x: -x[0]):  # bottom up: earlier line numbers stay valid
        if rid not in reviews:
            continue
        col = item.value[0][0].start_mark.column
        block = _block(reviews[rid], col)
        key = next((k for k, _ in item.value if k.value == "review"), None)
        if key is not None:
            a = key.start_mark.line
            b = a + 1
            while b < end and (not lines[b].strip() or _indent(lines[b]) > col):
                b += 1
            while b - 1 > a and not _is_content(lines[b - 1]):
                b -= 1
            lines[a:b] = block
            replaced += 1
        else:
            last = max(n for n in range(start, end) if _is_content(lines[n]))
            lines[last + 1 : last + 1] = block
    return "\n".join(lines), replaced


def _expected(old: dict, reviews: dict[str, Review]) -> dict:
    new = json.loads(json.dumps(old, default=str))
    for r in new.get("requirements", []):
        if isinstance(r, dict) and r.get("id") in reviews:
            r["review"] = reviews[r["id"]].model_dump(mode="json", exclude_none=True)
    return new


def record_reviews(edition: str, reviews: dict[str, Review], root: Path = DEFAULT_ROOT) -> Written:
    """Write ``reviews`` ({requirement id: Review}) into ``edition``'s files: all of them, or nothing."""
    ed: MaturityEdition = load_maturity(edition, root)
    unknown = sorted(set(reviews) - set(ed.requirement_map))
    if unknown:
        raise ReviewError(f"{unknown[0]} is not a requirement of {edition}")
    by_file: dict[Path, dict[str, Review]] = {}
    for rid, rev in reviews.items():
        by_file.setdefault(root / edition / "requirements" / f"{ed.req_subdomain[rid]}.yaml", {})[rid] = rev
    new_texts: dict[Path, tuple[str, str]] = {}
    replaced = 0
    for path, revs in sorted(by_file.items()):
        label = f"criteria/{edition}/requirements/{path.name}"
        old = path.read_text(encoding="utf-8")
        new, n = place_reviews(old, revs, label)
        replaced += n
        try:
            old_doc, new_doc = parse_yaml(old, label), parse_yaml(new, label)
        except YamlError as exc:
            raise ReviewError(f"{exc}; nothing written") from None
        if json.loads(json.dumps(new_doc, default=str)) != _expected(old_doc, revs):
            raise ReviewError(f"{label}: the review records could not be placed without changing other content; nothing written")
        problems: list[Problem] = []
        if validate(RequirementsFile, new_doc, label, problems) is None:
            raise ReviewError(f"{problems[0]}; nothing written")
        new_texts[path] = (old, new)
    done: list[Path] = []
    try:
        for path, (_, new) in new_texts.items():
            tmp = path.with_name(f".{path.name}.review-{os.getpid()}")
            tmp.write_text(new, encoding="utf-8")
            os.replace(tmp, path)
            done.append(path)
    except OSError as exc:
        for path in done:  # all or nothing: put back what was already replaced
            path.write_text(new_texts[path][0], encoding="utf-8")
        for path in new_texts:
            path.with_name(f".{path.name}.review-{os.getpid()}").unlink(missing_ok=True)
        raise ReviewError(f"cannot write the criteria files ({exc.strerror}); nothing written") from None
    load_maturity_cached.cache_clear()  # this process reads the new records too (the disk cache keys by content)
    counts = {s.value: sum(1 for r in reviews.values() if r.status == s) for s in ReviewStatus}
    return Written([str(p) for p in new_texts], counts, replaced)

"""Malformed input files of every class the input hardening covers: one ``error:`` line, exit 2, nothing expanded.

The commands run in-process (``cli.main``) so the battery is quick; two of them also run as real
processes to check the exit code and the single stderr line end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from paths import ROOT

from cli import main

HEAD = "edition: maturity/2020\nindustry: discrete\nanswers:\n  gbt39116_2020:data:L1:01: "
BOMB = "".join(
    f"{k}: &{k} [" + ",".join([f"*{p}"] * 9 if p else ['"x"'] * 9) + "]\n" for p, k in zip([None, *"abcdefgh"], "abcdefghi")
)

CASES = {
    "alias_bomb.yaml": (BOMB, "expands to more than"),
    "huge_exponent.yaml": (HEAD + '"1e999999999"\n', "is not one of"),
    "deep.yaml": ("a: " + "[" * 1000 + "]" * 1000 + "\n", "nest"),  # libyaml: "exceeded maximum nesting depth"
    "deep.json": ('{"a": ' + "[" * 5000 + "]" * 5000 + "}", "nested"),
    "unhashable_key.yaml": ("? [1, 2]\n: x\n", "a key must be a plain value"),
    "digits.yaml": (HEAD + "9" * 401 + "\n", "a number of more than"),
    "nan.json": ('{"edition": "maturity/2020", "industry": "discrete", "answers": {"x": NaN}}', "NaN is not allowed"),
    "inf.yaml": (HEAD + ".inf\n", "infinite"),
    "not_utf8.yaml": (b"\xff\xfe\x00a", "not UTF-8"),
    "duplicate.yaml": ("edition: a\nedition: b\n", "duplicate key"),
    "not_a_mapping.yaml": ("- 1\n- 2\n", "expected a mapping"),
    "unknown_requirement.yaml": ("edition: maturity/2020\nindustry: discrete\nanswers:\n  nope: 1\n", "unknown requirement"),
    "unknown_edition.yaml": ("edition: ../../etc\nindustry: discrete\nanswers: {}\n", "etc"),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("command", [["maturity", "score"], ["tier", "evaluate"], ["declare", "check"]])
def test_malformed_file_gives_one_error_line(tmp_path, capsys, name, command):
    content, fragment = CASES[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert main([*command, str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:"), err
    if command[0] == "maturity" or fragment in err[0]:
        assert fragment in err[0], err


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "directory"])
def test_only_regular_files_are_read(tmp_path, capsys, special):
    path = {"/dev/zero": "/dev/zero", "directory": str(tmp_path)}.get(special)
    if special == "fifo":
        path = str(tmp_path / "answers.yaml")
        os.mkfifo(path)  # nobody ever writes: reading it would block for ever
    assert main(["maturity", "score", path]) == 2
    assert capsys.readouterr().err.startswith("error:")


@pytest.mark.parametrize("name", ["alias_bomb.yaml", "deep.json"])
def test_as_a_process(tmp_path, name):
    path = tmp_path / name
    path.write_text(CASES[name][0], encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "assessment", "maturity", "score", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr

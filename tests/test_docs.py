"""The documentation's examples are true: every example in README.md and docs/*.md that shows an output runs here.

The convention for a fenced code block in those files:

* ```` ```pycon ````: a doctest session, ``>>> `` (and ``... ``) lines with the output below them. The
  pycon blocks of one file run in order in one namespace, as one doctest file would, with the stdlib
  :mod:`doctest` (``ELLIPSIS`` and ``NORMALIZE_WHITESPACE``), in a temporary working folder. ``...``
  in an output stands only for long or machine-dependent parts (probabilities, timings).
* ```` ```console ````: a shell session of rnnkit commands, ``$ rnnkit ...`` lines with the standard
  output below them. Each command runs through ``rnnkit.cli.main([...])`` (its words split as a POSIX
  shell splits them) in a temporary working folder, must exit 0, and its output is compared as a
  doctest output is.
* Any other block (```` ```python ````, ```` ```bash ````, ```` ```json ````, plain ```` ``` ````) is
  not run and says why in an HTML comment on the line just above its opening fence, e.g.
  ``<!-- not run: needs ../shared/data -->`` (invisible on the rendered page). A block that neither
  runs nor says why fails :func:`test_every_block_runs_or_says_why`, so a new example with an output
  cannot be added without either running here or stating why it does not.

Loading the bundled models takes about a second each; the whole module runs in seconds.
"""

from __future__ import annotations

import doctest
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from rnnkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN_LANGUAGES = ("pycon", "console")
NOT_RUN = re.compile(r"<!-- not run: (\S.*?) -->")
OPENING = re.compile(r"```(\S*)\s*")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# Pages whose examples need an optional extra: the module that shows it is installed, and the extra.
EXTRAS = {"docs/serve.md": ("fastapi", "serve"), "docs/deploy.md": ("onnxruntime", "onnx")}


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    name: str  # the file, relative to the repository
    line: int  # 1-based line of the opening fence
    language: str  # "" for a plain fence
    text: str  # the lines between the fences, each ending with "\n"
    not_run: str | None  # the reason in a "<!-- not run: ... -->" just above the fence, if any

    @property
    def where(self) -> str:
        return f"{self.name}:{self.line}"


def read_blocks(text: str, name: str) -> list[Block]:
    """The fenced blocks of Markdown ``text`` (fences at the start of a line)."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        opening = OPENING.fullmatch(lines[i])
        if not opening:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == "```"), None)
        assert end is not None, f"{name}:{i + 1}: a code block that is never closed"
        reason = NOT_RUN.fullmatch(lines[i - 1].strip()) if i else None
        body = "".join(line + "\n" for line in lines[i + 1:end])
        blocks.append(Block(name, i + 1, opening[1], body, reason[1] if reason else None))
        i = end + 1
    return blocks


def doc_blocks() -> list[Block]:
    return [block for path in DOC_FILES
            for block in read_blocks(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]


def problems(block: Block) -> list[str]:
    """Why ``block`` breaks the convention (none: it follows it)."""
    if block.language in RUN_LANGUAGES and block.not_run is not None:
        return [f"{block.where}: a {block.language} block runs; drop its not-run comment or change its language"]
    if block.language == "pycon" and not re.search(r"^>>> ", block.text, re.M):
        return [f"{block.where}: a pycon block without a '>>> ' line"]
    if block.language == "console":
        first = block.text.lstrip("\n").splitlines()[:1]
        commands = [line for line in block.text.splitlines() if line.startswith("$ ")]
        bad = [c for c in commands if not c.startswith("$ rnnkit ")]
        if not first or not first[0].startswith("$ ") or bad:
            return [f"{block.where}: a console block is '$ rnnkit ...' lines, each followed by its output"]
    if block.language not in RUN_LANGUAGES and block.not_run is None:
        hint = "; it holds '>>> ' lines: make it a pycon block" if re.search(r"^>>> ", block.text, re.M) else ""
        return [f"{block.where}: a {block.language or 'plain'} block that is not run and has no "
                f"'<!-- not run: reason -->' line above it{hint}"]
    return []


def pycon_test(blocks: list[Block]) -> doctest.DocTest:
    """One doctest of every pycon block in ``blocks``, in order; failures name the Markdown line."""
    examples = []
    for block in blocks:
        for example in doctest.DocTestParser().get_examples(block.text, block.where):
            example.lineno += block.line  # the report prints lineno + 1: the line in the Markdown file
            examples.append(example)
    return doctest.DocTest(examples, {"__name__": "__docs__"}, blocks[0].name, str(ROOT / blocks[0].name), 0, None)


def run_pycon(blocks: list[Block]) -> tuple[doctest.TestResults, str]:
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    return runner.run(pycon_test(blocks), out=report.append), "".join(report)


def console_commands(block: Block) -> list[tuple[str, str]]:
    """(command, shown output) for each ``$ `` line of a console block."""
    commands: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    return [(command, "".join(line + "\n" for line in output)) for command, output in commands]


def check_output(command: str, want: str, got: str) -> str | None:
    """None when ``got`` matches ``want`` (doctest's rules and flags), else doctest's report of the difference."""
    checker = doctest.OutputChecker()
    if checker.check_output(want, got, FLAGS):
        return None
    return checker.output_difference(doctest.Example(command, want), got, FLAGS)


BLOCKS = doc_blocks()
PYCON_FILES = sorted({b.name for b in BLOCKS if b.language == "pycon"})
CONSOLE_BLOCKS = [b for b in BLOCKS if b.language == "console"]


def test_every_block_runs_or_says_why():
    found = [p for block in BLOCKS for p in problems(block)]
    assert not found, "\n".join(found)


def test_each_kind_of_example_is_found():
    # The parser's own guard: if it stopped seeing blocks, the tests below would pass on nothing.
    assert {b.name for b in BLOCKS} == {str(p.relative_to(ROOT)) for p in DOC_FILES}
    assert "README.md" in PYCON_FILES and len(PYCON_FILES) >= 3 and len(CONSOLE_BLOCKS) >= 2


@pytest.mark.parametrize("name", PYCON_FILES)
def test_pycon_examples(name, tmp_path, monkeypatch):
    if name in EXTRAS:
        module, extra = EXTRAS[name]
        pytest.importorskip(module, reason=f"the {extra} extra ({module}) is not installed")
    monkeypatch.chdir(tmp_path)
    blocks = [b for b in BLOCKS if b.name == name and b.language == "pycon"]
    result, report = run_pycon(blocks)
    assert result.attempted > 0
    assert result.failed == 0, report


@pytest.mark.parametrize("block", CONSOLE_BLOCKS, ids=[b.where for b in CONSOLE_BLOCKS])
def test_console_examples(block, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for command, want in console_commands(block):
        capsys.readouterr()
        status = main(shlex.split(command)[1:])
        out, err = capsys.readouterr()
        assert status == 0, f"{block.where}: `{command}` exited {status}: {err}"
        difference = check_output(command, want, out)
        assert difference is None, f"{block.where}: `{command}`\n{difference}"


# The checks above can fail: they do on false or unmarked examples. -------------------------------

SAMPLE = """# A page

```pycon
>>> 1 + 1
3
```

<!-- not run: needs a server -->
```bash
curl localhost:8000
```

```python
x = f()   # "Positive"
```

```console
$ rnnkit suggest "I go to sch"
nothing like this
```
"""


def test_the_checks_catch_false_and_unmarked_examples(tmp_path, monkeypatch, capsys):
    blocks = read_blocks(SAMPLE, "sample.md")
    assert [(b.line, b.language, b.not_run) for b in blocks] == [
        (3, "pycon", None), (9, "bash", "needs a server"), (13, "python", None), (17, "console", None)]
    assert [p for b in blocks for p in problems(b)] == [
        "sample.md:13: a python block that is not run and has no '<!-- not run: reason -->' line above it"]
    result, report = run_pycon(blocks[:1])
    assert (result.failed, result.attempted) == (1, 1) and "line 4" in report and "Got:\n    2" in report

    [(command, want)] = console_commands(blocks[3])
    monkeypatch.chdir(tmp_path)
    assert main(shlex.split(command)[1:]) == 0
    assert "Expected:\n    nothing like this" in check_output(command, want, capsys.readouterr().out)


def test_ellipsis_stands_for_part_of_an_output_only():
    assert check_output("x", "[('the', 0.29...), ...]\n", "[('the', 0.2926868), ('a', 0.1)]\n") is None
    assert check_output("x", "[('the', 0.29...)]\n", "[('the', 0.3012)]\n") is not None
    assert check_output("x", "a   b\nc\n", "a b c\n") is None  # NORMALIZE_WHITESPACE

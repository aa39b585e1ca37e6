#!/usr/bin/env python3
"""Runs every privflow command line of docs/ci.md against a real spec.

  check_ci_doc.py PRIVFLOW SOURCE_DIR WORK_DIR

Each `privflow ...` command in the page's fenced code blocks (shell lines and YAML `run:`
steps alike), and each inline `privflow ... specs/...` span, is cut at its shell operators (`||`, `&&`, `;`, `|`), its spec paths (specs/*.pflow,
specs/pipeline.pflow, ${{ matrix.spec }}) are pointed at copies of an example in WORK_DIR, and it
is run there (so `-o` and `fmt -i` touch only the copies). It must exit 0 or 1: never 2 (a
command line the tool rejects), 3 or 4. The workflow blocks must also parse as YAML (when
PyYAML is there) and contain the steps the page promises.
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

EXAMPLE = "rr_survey.pflow"  # a small spec with violated requirements: exit 1, fast
SPEC_NAMES = ("pipeline.pflow", "analytics.pflow")
REQUIREMENT = "pollster_budget"  # one of EXAMPLE's requirements, for NAME


def code_blocks(text):
    """[(language, first line number, [lines])] of the fenced blocks."""
    blocks = []
    lang, start, lines = None, 0, None
    for n, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^\s*```(\S*)\s*$", line)
        if m and lines is None:
            lang, start, lines = m.group(1), n + 1, []
        elif m and lines is not None:
            blocks.append((lang, start, lines))
            lines = None
        elif lines is not None:
            lines.append(line)
    if lines is not None:
        raise SystemExit("FAIL docs/ci.md: a code block is not closed")
    return blocks


def commands(blocks):
    """[(line number, command text)] of every privflow invocation."""
    found = []
    for _, start, lines in blocks:
        for k, line in enumerate(lines):
            code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
            for m in re.finditer(r"(?:^|[\s;&|(`]|^\s*-\s+|run:\s*)privflow(?=\s)", code):
                rest = code[m.end() - len("privflow"):]
                # Cut at the first shell operator outside quotes.
                out, quote, i = "", None, 0
                while i < len(rest):
                    c = rest[i]
                    if quote:
                        if c == quote:
                            quote = None
                    elif c in "\"'":
                        quote = c
                    elif rest.startswith(("||", "&&"), i) or c in ";|)":
                        break
                    out += c
                    i += 1
                found.append((start + k, out.strip()))
    return found


def inline_commands(text):
    """[(line number, command)] of inline code spans that run privflow on a spec."""
    found = []
    in_block = False
    for n, line in enumerate(text.split("\n"), 1):
        if re.match(r"^\s*```", line):
            in_block = not in_block
            continue
        if in_block:
            continue
        for m in re.finditer(r"`(privflow [^`]*specs/[^`]*)`", line):
            found.append((n, m.group(1)))
    return found


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    privflow, src, work = sys.argv[1:]
    doc_path = os.path.join(src, "docs", "ci.md")
    text = open(doc_path, encoding="utf-8").read()
    blocks = code_blocks(text)
    cmds = commands(blocks) + inline_commands(text)
    failures = 0
    passed = 0

    def fail(msg):
        nonlocal failures
        print("FAIL " + msg)
        failures += 1

    if len(cmds) < 8:
        fail(f"docs/ci.md: only {len(cmds)} privflow command lines found in its code blocks")
    subs = {c.split()[1] for _, c in cmds if len(c.split()) > 1}
    for needed in ("check", "report", "fmt"):
        if needed not in subs:
            fail(f"docs/ci.md: no 'privflow {needed}' command in its code blocks")
    needs = {
        "privflow check specs/*.pflow": "the gate over every spec",
        "privflow fmt --check specs/*.pflow": "the lint step",
        "--format sarif -o privflow.sarif": "the SARIF report",
        "github/codeql-action/upload-sarif@v3": "the upload action",
        "if: always()": "steps that run when the check failed",
        "scripts/setup": "installing the dependencies",
        "scripts/build": "building from source",
        ".deb": "installing the Debian package",
        ".gitlab-ci.yml": "the GitLab variant",
    }
    for needle, what in needs.items():
        if needle in text:
            passed += 1
        else:
            fail(f"docs/ci.md lacks {what} ({needle})")
    for code in ("0", "1", "2", "3", "4"):
        if not re.search(r"^\| " + code + r" \|", text, re.M):
            fail(f"docs/ci.md: the exit code table has no row for {code}")

    try:
        import yaml
    except ImportError:
        yaml = None
        print("note: PyYAML is not installed: the YAML blocks are not parsed")
    if yaml:
        for lang, start, lines in blocks:
            if lang != "yaml":
                continue
            body = "\n".join(lines)
            # Fragments of a job's steps are indented; parse them as they stand.
            try:
                yaml.safe_load(re.sub(r"^ {6}", "", body, flags=re.M) if body.startswith("      ") else body)
                passed += 1
            except yaml.YAMLError as e:
                fail(f"docs/ci.md:{start}: the YAML block does not parse: {e}")

    # A working folder with specs/ holding copies of a real example.
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(os.path.join(work, "specs"))
    for name in SPEC_NAMES:
        shutil.copy(os.path.join(src, "examples", EXAMPLE), os.path.join(work, "specs", name))
    privflow = os.path.abspath(privflow)
    for line, cmd in cmds:
        cmd = cmd.replace("${{ matrix.spec }}", "specs/pipeline.pflow")
        cmd = re.sub(r"\bNAME\b", REQUIREMENT, cmd)  # a requirement of the example
        try:
            argv = shlex.split(cmd)
        except ValueError as e:
            fail(f"docs/ci.md:{line}: cannot split '{cmd}': {e}")
            continue
        expanded = []
        for a in argv[1:]:
            if any(ch in a for ch in "*?["):
                matches = sorted(glob.glob(os.path.join(work, a)))
                if not matches:
                    fail(f"docs/ci.md:{line}: '{a}' matches no file")
                expanded += [os.path.relpath(m, work) for m in matches]
            elif "$" in a:
                fail(f"docs/ci.md:{line}: '{a}' is a shell variable the test cannot substitute")
                expanded.append(a)
            else:
                expanded.append(a)
        spec_args = [a for a in expanded if a.endswith(".pflow")]
        for a in spec_args:
            if not os.path.isfile(os.path.join(work, a)):
                fail(f"docs/ci.md:{line}: spec '{a}' is not one of the placeholders specs/{{{','.join(SPEC_NAMES)}}}")
        proc = subprocess.run([privflow] + expanded, cwd=work, capture_output=True, text=True, timeout=600,
                              stdin=subprocess.DEVNULL)
        if proc.returncode in (0, 1):
            outs = [expanded[i + 1] for i, a in enumerate(expanded[:-1]) if a in ("-o", "--output")]
            missing = [o for o in outs if not os.path.isfile(os.path.join(work, o))]
            if missing:
                fail(f"docs/ci.md:{line}: '{cmd}' wrote no {missing[0]}")
            else:
                passed += 1
                print(f"ok   docs/ci.md:{line}: {cmd}  (exit {proc.returncode})")
        else:
            fail(f"docs/ci.md:{line}: '{cmd}' exited {proc.returncode}\n{proc.stderr.strip()[:600]}")
    print(f"{passed} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

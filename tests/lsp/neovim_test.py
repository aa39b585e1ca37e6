#!/usr/bin/env python3
"""`privflow lsp` driven by a real editor: Debian's Neovim, headless, with its built-in LSP client
(tests/lsp/neovim_client.lua). The spec is session.pflow with its one error fixed, so that the
analysis runs: the test waits for its verdicts as diagnostics, then checks a hover and a
go-to-definition. Exit 77 (skipped) when nvim is missing, unless PRIVFLOW_CI is set.

usage: neovim_test.py PRIVFLOW SOURCE_DIR
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile


def main():
    privflow, source = sys.argv[1], pathlib.Path(sys.argv[2])
    nvim = shutil.which("nvim")
    if not nvim:
        print("nvim not found (Debian's neovim, scripts/setup installs it)", file=sys.stderr)
        return 1 if os.environ.get("PRIVFLOW_CI") else 77
    here = source / "tests" / "lsp"
    text = (here / "session.pflow").read_text(encoding="utf-8").replace("send reply to polster", "send reply to pollster")
    lines = text.split("\n")
    line_of = lambda prefix: next(i for i, line in enumerate(lines) if line.startswith(prefix))
    failures = []

    def check(condition, what):
        if not condition:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        spec, out = pathlib.Path(tmp) / "session.pflow", pathlib.Path(tmp) / "out.json"
        spec.write_text(text, encoding="utf-8")
        env = dict(os.environ, PRIVFLOW=privflow, PRIVFLOW_SPEC=str(spec), PRIVFLOW_OUT=str(out),
                   XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp, XDG_STATE_HOME=tmp, XDG_CACHE_HOME=tmp)
        run = subprocess.run([nvim, "--headless", "--clean", "-u", "NONE", "-c", "luafile " + str(here / "neovim_client.lua")],
                             cwd=tmp, env=env, capture_output=True, text=True, timeout=240)
        if not out.exists():
            print(f"nvim exited {run.returncode} without a result\n{run.stdout}\n{run.stderr}", file=sys.stderr)
            return 1
        got = json.loads(out.read_text(encoding="utf-8"))
        check(run.returncode == 0, f"nvim exited {run.returncode}: {got.get('error')}")
        # LSP severities: 1 error, 3 information; lines 0-based.
        diagnostics = {(d["line"], d["severity"], d["message"].split("\n")[0]) for d in got["diagnostics"]}
        check((line_of("require press_budget"), 3,
               "holds: dp(answers) against press: epsilon 1.099 ≤ 1.5 at delta 1e-6 [press_budget]") in diagnostics,
              "the holding requirement as information")
        check((line_of("require insider_budget"), 1,
               "violated: dp(answers) against insider: epsilon 1.099 > 1 at delta 1e-6 [insider_budget]") in diagnostics,
              "the violated requirement as an error")
        check(len(got["diagnostics"]) == 2, f"exactly the two verdicts: {got['diagnostics']}")
        check("**requirement** `press_budget`" in got["hover"] and "**holds**" in got["hover"],
              f"the hover of press_budget: {got['hover']!r}")
        check(got["definition"] == [{"uri": spec.as_uri(), "line": line_of("compute reply")}],
              f"the definition of reply: {got['definition']}")
    for f in failures:
        print("FAILED:", f, file=sys.stderr)
    print(f"neovim: {len(got['diagnostics'])} diagnostics, hover of {len(got['hover'])} characters, "
          f"{len(got['definition'])} definition(s); {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

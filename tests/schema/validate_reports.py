#!/usr/bin/env python3
"""Validates `privflow report --format json` against docs/report.schema.json.

  validate_reports.py examples PRIVFLOW SOURCE_DIR WORK_DIR
      the JSON report of every examples/*.pflow, plus one run with --accountant pld
  validate_reports.py negative PRIVFLOW SOURCE_DIR WORK_DIR
      broken reports (a bad status, a renamed key, ...) must FAIL validation, so that the
      validator is known to be running and the schema to be closed

Needs python3-jsonschema (Debian; scripts/setup installs it). When the interpreter running
this script lacks it, the script re-runs itself with the other python3 on the machine (the
system one has Debian's package); when none has it, it exits 77 (ctest: skipped).
"""
import copy
from fractions import Fraction
import glob
import json
import os
import shutil
import subprocess
import sys

SKIP = 77


def find_jsonschema():
    try:
        import jsonschema  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("PRIVFLOW_SCHEMA_REEXEC"):
        print("SKIPPED: no python3 here has the jsonschema module (Debian: python3-jsonschema; scripts/setup installs it)")
        sys.exit(SKIP)
    candidates = ["/usr/bin/python3", shutil.which("python3") or ""]
    for py in candidates:
        if not py or os.path.realpath(py) == os.path.realpath(sys.executable) or not os.access(py, os.X_OK):
            continue
        if subprocess.run([py, "-c", "import jsonschema"], capture_output=True).returncode == 0:
            env = dict(os.environ, PRIVFLOW_SCHEMA_REEXEC="1")
            sys.exit(subprocess.run([py, os.path.abspath(__file__)] + sys.argv[1:], env=env).returncode)
    print("SKIPPED: no python3 here has the jsonschema module (Debian: python3-jsonschema; scripts/setup installs it)")
    sys.exit(SKIP)


find_jsonschema()
import jsonschema  # noqa: E402


def validator_name():
    try:
        from importlib.metadata import version
        return "jsonschema " + version("jsonschema")
    except Exception:  # noqa: BLE001 (a Debian install without metadata still validates)
        return "jsonschema"


def load_validator(source_dir):
    with open(os.path.join(source_dir, "docs", "report.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # the schema itself is valid JSON Schema
    if cls is not jsonschema.Draft202012Validator:
        raise SystemExit("FAIL: the schema does not declare draft 2020-12")
    return cls(schema)


def errors_of(validator, report):
    return sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))


def describe(e):
    where = "/".join(str(p) for p in e.absolute_path) or "(top)"
    return f"  at {where}: {e.message[:300]}"


def value_errors(report):
    """What the schema cannot say: `value` is the full-precision upper bound beside its short
    form `value_text` (docs/report.schema.json): never below an exact value, never above the
    rounded-up decimal."""
    errors = []
    for r in report["requirements"]:
        value, text = r["value"], r["value_text"]
        if value is None or text in ("unbounded", "no crossing"):
            continue
        try:
            short = Fraction(text)
        except ValueError:
            errors.append(f"{r['name']}: value_text {text!r} is not a number")
            continue
        full = Fraction(value)  # the double exactly
        if r["exact"] and "/" in text and full < short:
            errors.append(f"{r['name']}: value {value!r} is below the exact {text}")
        if not r["exact"] and full > short:
            errors.append(f"{r['name']}: value {value!r} is above its rounded-up value_text {text}")
    errors += epsilon_errors(report)
    return errors


def epsilon_errors(report):
    """Every epsilon (of a release, a leakage cell, a forbid rule's observer) is the full-precision
    upper bound beside its short form `epsilon_text`, rounded up: never above that decimal."""
    entries = [("leakage", c) for c in report["leakage"]]
    for r in report["requirements"]:
        entries += [(r["name"] + " release", t) for t in r.get("releases", [])]
        entries += [(r["name"] + " observer", o) for o in r.get("observers", [])]
    errors = []
    for where, e in entries:
        eps, text = e["epsilon"], e["epsilon_text"]
        if eps is None:
            if text not in ("unbounded", "exposed", "holds"):
                errors.append(f"{where}: epsilon null but epsilon_text {text!r}")
            continue
        if text == "nothing":
            if eps != 0:
                errors.append(f"{where}: epsilon {eps!r} for a cell that observes nothing")
            continue
        try:
            short = Fraction(text)
        except ValueError:
            errors.append(f"{where}: epsilon_text {text!r} is not a number")
            continue
        if Fraction(eps) > short:
            errors.append(f"{where}: epsilon {eps!r} is above its rounded-up epsilon_text {text}")
    return errors


def run_report(privflow, spec, out, extra=()):
    cmd = [privflow, "report", "--format", "json", *extra, "-o", out, spec]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return cmd, proc


def examples(privflow, source_dir, work):
    validator = load_validator(source_dir)
    specs = sorted(glob.glob(os.path.join(source_dir, "examples", "*.pflow")))
    if not specs:
        raise SystemExit("FAIL: no examples/*.pflow found")
    runs = [(s, (), (0, 1, 3)) for s in specs]
    # One run with the accountant overridden: its methods must say pld.
    runs.append((os.path.join(source_dir, "examples", "phones_shuffler.pflow"), ("--accountant", "pld"), (0, 1, 3)))
    # Shapes the examples lack: inline coalitions, a forbid rule without 'unless', an unbounded
    # epsilon at delta 0.
    runs.append((os.path.join(source_dir, "tests", "schema", "specs", "edge_cases.pflow"), (), (0, 1, 3)))
    failures = 0
    checked = 0
    for spec, extra, expected in runs:
        name = os.path.basename(spec)[:-len(".pflow")] + ("_" + "_".join(a.strip("-") for a in extra) if extra else "")
        out = os.path.join(work, name + ".json")
        if os.path.exists(out):
            os.remove(out)
        cmd, proc = run_report(privflow, spec, out, extra)
        label = " ".join(cmd[1:])
        # 0 holds, 1 violated, 3 undecided: the report is written.
        if proc.returncode not in expected:
            print(f"FAIL {label}: exit {proc.returncode}\n{proc.stderr}")
            failures += 1
            continue
        try:
            with open(out, encoding="utf-8") as f:
                report = json.load(f)
        except (OSError, ValueError) as e:
            print(f"FAIL {label}: no JSON report written ({e})")
            failures += 1
            continue
        errs = errors_of(validator, report)
        if errs:
            print(f"FAIL {label}: {len(errs)} schema error(s)")
            for e in errs[:20]:
                print(describe(e))
            failures += 1
            continue
        bad = value_errors(report)
        if bad:
            print(f"FAIL {label}: value beside value_text: " + "; ".join(bad))
            failures += 1
            continue
        if report["summary"]["exit_code"] != proc.returncode:
            print(f"FAIL {label}: summary.exit_code {report['summary']['exit_code']} but the process exited {proc.returncode}")
            failures += 1
            continue
        s = report["summary"]
        statuses = [r["status"] for r in report["requirements"]]
        if (s["requirements"], s["holds"], s["violated"], s["undecided"]) != (
                len(statuses), statuses.count("holds"), statuses.count("violated"), statuses.count("undecided")):
            print(f"FAIL {label}: summary counts disagree with the requirements' statuses")
            failures += 1
            continue
        if extra and not any(r["method"] == "pld" for r in report["requirements"]):
            print(f"FAIL {label}: no requirement's method is pld although --accountant pld was given")
            failures += 1
            continue
        checked += 1
        print(f"ok   {label}: {len(report['requirements'])} requirement(s), exit {proc.returncode}")
    # An error finding (a division by zero a record reaches): exit 2 and no report at all.
    spec = os.path.join(work, "division_by_zero.pflow")
    with open(spec, "w", encoding="utf-8") as f:
        f.write("data p { rows: 10 field age: int[0, 120] }\nagent o { trust: curious, holds: p }\n"
                "compute r at o = map(p, 100 / age)\nrequire dp(p) against {o} <= epsilon 1\n")
    out = os.path.join(work, "division_by_zero.json")
    if os.path.exists(out):
        os.remove(out)
    _, proc = run_report(privflow, spec, out)
    if proc.returncode != 2 or os.path.exists(out) or ":3:25: error: division by zero" not in proc.stderr:
        print(f"FAIL division_by_zero: exit {proc.returncode}, report written: {os.path.exists(out)}\n{proc.stderr}")
        failures += 1
    else:
        checked += 1
        print("ok   division_by_zero: exit 2, located error, no report")
    print(f"{checked} passed, {failures} failed")
    return 1 if failures else 0


def negative(privflow, source_dir, work):
    validator = load_validator(source_dir)
    # A report with every kind of entry: dp/posterior/advantage requirements, a forbid rule
    # with observers, releases and leakage cells.
    spec = os.path.join(source_dir, "examples", "hospital_fl.pflow")
    out = os.path.join(work, "negative_base.json")
    _, proc = run_report(privflow, spec, out)
    if proc.returncode not in (0, 1, 3):
        print(f"FAIL: the base report could not be made: exit {proc.returncode}\n{proc.stderr}")
        return 1
    with open(out, encoding="utf-8") as f:
        base = json.load(f)
    if errors_of(validator, base):
        print("FAIL: the base report is itself invalid")
        return 1

    def first(report, pred):
        return next(r for r in report["requirements"] if pred(r))

    def set_status(r):
        r["requirements"][0]["status"] = "maybe"

    def rename_value(r):
        req = r["requirements"][0]
        req["val"] = req.pop("value")

    def extra_top(r):
        r["verdict"] = "ok"

    def drop_summary(r):
        del r["summary"]

    def posterior_above_one(r):
        first(r, lambda q: q["measure"] == "posterior")["value"] = 1.5

    def negative_epsilon(r):
        first(r, lambda q: q["measure"] == "dp")["value"] = -0.1

    def bad_measure(r):
        r["requirements"][0]["measure"] = "privacy"

    def bad_method(r):
        r["requirements"][0]["method"] = "guess"

    def string_value(r):
        first(r, lambda q: q["measure"] == "dp")["value"] = "5.7"

    def explanation_key(r):
        r["requirements"][0]["explanation"]["children"][0]["txt"] = r["requirements"][0]["explanation"]["children"][0].pop("text")

    def observer_key(r):
        obs = first(r, lambda q: q["measure"] == "forbid")["observers"][0]
        obs["route"] = obs.pop("path")

    def forbid_with_coalition(r):
        first(r, lambda q: q["measure"] == "forbid")["coalition"] = ["server"]

    def release_mechanism(r):
        first(r, lambda q: q["releases"])["releases"][0]["mechanism"] = "magic"

    def leakage_status(r):
        r["leakage"][0]["status"] = "safe"

    def finding_severity(r):
        r["findings"].append({"severity": "fatal", "line": 1, "column": 1, "message": "x"})

    def line_zero(r):
        r["requirements"][0]["line"] = 0

    def unbounded_text(r):
        q = first(r, lambda q: q["measure"] == "dp")
        q["value"] = None
        q["value_text"] = "5.7"

    def exit_code_mismatch(r):
        r["summary"]["exit_code"] = 0  # hospital_fl has violated requirements: 1

    def error_finding_exit(r):
        r["findings"].append({"severity": "error", "line": 3, "column": 1, "message": "division by zero"})

    cases = [exit_code_mismatch, error_finding_exit, set_status, rename_value, extra_top, drop_summary, posterior_above_one, negative_epsilon, bad_measure,
             bad_method, string_value, explanation_key, observer_key, forbid_with_coalition, release_mechanism,
             leakage_status, finding_severity, line_zero, unbounded_text]
    failures = 0
    for case in cases:
        broken = copy.deepcopy(base)
        case(broken)
        errs = errors_of(validator, broken)
        if errs:
            print(f"ok   {case.__name__}: rejected ({describe(errs[0]).strip()})")
        else:
            print(f"FAIL {case.__name__}: the broken report passed validation")
            failures += 1
    # The value beside its short form: the checker of the examples must see a value above
    # its rounded-up text.
    broken = copy.deepcopy(base)
    q = first(broken, lambda q: q["measure"] == "dp" and q["value"] is not None and not q["exact"])
    q["value"] = float(Fraction(q["value_text"]) * 2)
    if value_errors(broken) and not value_errors(base):
        print("ok   value_above_text: rejected by the value check")
    else:
        print("FAIL value_above_text: the value check did not catch it (or rejects the base report)")
        failures += 1
    # The same for a release's epsilon beside its short form.
    broken = copy.deepcopy(base)
    t = first(broken, lambda q: any(x["epsilon"] for x in q.get("releases", [])))
    t = next(x for x in t["releases"] if x["epsilon"])
    t["epsilon"] = float(Fraction(t["epsilon_text"]) * 2)
    if epsilon_errors(broken) and not epsilon_errors(base):
        print("ok   epsilon_above_text: rejected by the epsilon check")
    else:
        print("FAIL epsilon_above_text: the epsilon check did not catch it (or rejects the base report)")
        failures += 1
    print(f"{len(cases) + 2 - failures} passed, {failures} failed")
    return 1 if failures else 0


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("examples", "negative"):
        print(__doc__)
        return 2
    mode, privflow, source_dir, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    print(f"python {sys.version.split()[0]} at {sys.executable}, validator {validator_name()}")
    return examples(privflow, source_dir, work) if mode == "examples" else negative(privflow, source_dir, work)


if __name__ == "__main__":
    sys.exit(main())

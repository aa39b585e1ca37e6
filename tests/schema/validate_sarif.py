#!/usr/bin/env python3
"""Validates `privflow report --format sarif` against the official SARIF 2.1.0 JSON schema.

  validate_sarif.py examples PRIVFLOW SOURCE_DIR WORK_DIR
      the SARIF of every examples/*.pflow (and tests/schema/specs/edge_cases.pflow) validates
      against tests/schema/sarif/sarif-schema-2.1.0.json; every violated requirement of the
      JSON report has a result with a code flow whose locations are lines of the spec; every
      result has related locations and a fingerprint; the rules have help and a help URI
  validate_sarif.py fingerprints PRIVFLOW SOURCE_DIR WORK_DIR
      inserting blank lines above every statement moves every result's line but leaves its
      partialFingerprints equal; renaming a requirement changes its fingerprint
  validate_sarif.py negative PRIVFLOW SOURCE_DIR WORK_DIR
      broken logs (a bad level, a missing version, a code flow without locations, ...) FAIL
      validation, so the validator is known to run and the vendored schema to be the real one

The schema is OASIS's, vendored unchanged (tests/schema/sarif/README.md names its source).
The validator is Debian's python3-jsonschema (Draft 4, which the schema declares); scripts/setup
installs it. When no python3 on the machine has it, the script exits 77 (ctest: skipped).
"""
import copy
import glob
import json
import os
import shutil
import subprocess
import sys

SKIP = 77
FINGERPRINT = "privflowRequirementRoute/v1"


def find_jsonschema():
    try:
        import jsonschema  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("PRIVFLOW_SCHEMA_REEXEC"):
        print("SKIPPED: no python3 here has the jsonschema module (Debian: python3-jsonschema)")
        sys.exit(SKIP)
    for py in ["/usr/bin/python3", shutil.which("python3") or ""]:
        if not py or os.path.realpath(py) == os.path.realpath(sys.executable) or not os.access(py, os.X_OK):
            continue
        if subprocess.run([py, "-c", "import jsonschema"], capture_output=True).returncode == 0:
            env = dict(os.environ, PRIVFLOW_SCHEMA_REEXEC="1")
            sys.exit(subprocess.run([py, os.path.abspath(__file__)] + sys.argv[1:], env=env).returncode)
    print("SKIPPED: no python3 here has the jsonschema module (Debian: python3-jsonschema)")
    sys.exit(SKIP)


find_jsonschema()
import jsonschema  # noqa: E402


def load_validator(source_dir):
    path = os.path.join(source_dir, "tests", "schema", "sarif", "sarif-schema-2.1.0.json")
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    if schema.get("id") != "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json":
        raise SystemExit(f"FAIL: {path} is not OASIS's SARIF 2.1.0 schema (errata 01)")
    cls = jsonschema.validators.validator_for(schema)
    if cls is not jsonschema.Draft4Validator:
        raise SystemExit("FAIL: the SARIF schema should declare JSON Schema draft 4")
    cls.check_schema(schema)
    return cls(schema)


def errors_of(validator, log):
    return sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))


def describe(e):
    where = "/".join(str(p) for p in e.absolute_path) or "(top)"
    return f"  at {where}: {e.message[:300]}"


def run(privflow, fmt, spec, out):
    if os.path.exists(out):
        os.remove(out)
    cmd = [privflow, "report", "--format", fmt, "-o", out, spec]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 1, 3):
        raise RuntimeError(f"{' '.join(cmd[1:])}: exit {proc.returncode}\n{proc.stderr}")
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def regions(result):
    """Every region of the result's code flows and related locations."""
    for flow in result.get("codeFlows", []):
        for thread in flow["threadFlows"]:
            for loc in thread["locations"]:
                yield loc["location"]["physicalLocation"].get("region")
    for loc in result.get("relatedLocations", []):
        yield loc["physicalLocation"].get("region")


def content_errors(sarif, report, spec_lines):
    """What the schema cannot say (docs/ci.md, "SARIF in code scanning")."""
    errors = []
    run_ = sarif["runs"][0]
    for rule in run_["tool"]["driver"]["rules"]:
        if not rule.get("helpUri", "").startswith(run_["tool"]["driver"]["informationUri"] + "docs/"):
            errors.append(f"rule {rule['id']}: helpUri {rule.get('helpUri')!r} is not under the documented base")
        if not rule.get("help", {}).get("text") or not rule["help"].get("markdown"):
            errors.append(f"rule {rule['id']}: no help text")
    by_name = {r["properties"]["requirement"]: r for r in run_["results"]}
    for req in report["requirements"]:
        if req["status"] == "holds":
            if req["name"] in by_name:
                errors.append(f"{req['name']}: holds, yet has a result")
            continue
        res = by_name.get(req["name"])
        if res is None:
            errors.append(f"{req['name']}: {req['status']} but no SARIF result")
            continue
        if res["level"] != ("error" if req["status"] == "violated" else "warning"):
            errors.append(f"{req['name']}: level {res['level']} for a {req['status']} requirement")
        if not res.get("partialFingerprints", {}).get(FINGERPRINT):
            errors.append(f"{req['name']}: no {FINGERPRINT} fingerprint")
        if req["fix"] and res["properties"].get("fix") != req["fix"]:
            errors.append(f"{req['name']}: the fix is not in the result's properties")
        if req["status"] == "violated":
            flows = res.get("codeFlows", [])
            steps = [loc for f in flows for t in f["threadFlows"] for loc in t["locations"]]
            if not flows or not steps:
                errors.append(f"{req['name']}: violated, but no code flow")
                continue
            roles = {s["properties"]["role"] for s in steps}
            if req["measure"] != "forbid" and "data" not in roles:
                errors.append(f"{req['name']}: no code flow starts at the data")
            if req["releases"] if req["measure"] != "forbid" else req["observers"]:
                if "observer" not in roles:
                    errors.append(f"{req['name']}: no code flow ends at an observer")
            if not res.get("relatedLocations"):
                errors.append(f"{req['name']}: violated, but no related locations")
        for region in regions(res):
            if region is None:
                continue
            line = region["startLine"]
            if not 1 <= line <= len(spec_lines) or not spec_lines[line - 1].strip():
                errors.append(f"{req['name']}: a location at line {line}, which is not a statement of the spec")
    if len({json.dumps(r["partialFingerprints"], sort_keys=True) for r in run_["results"]}) != len(run_["results"]):
        errors.append("two results share a fingerprint")
    return errors


def example_specs(source_dir):
    specs = sorted(glob.glob(os.path.join(source_dir, "examples", "*.pflow")))
    if not specs:
        raise SystemExit("FAIL: no examples/*.pflow found")
    return specs + [os.path.join(source_dir, "tests", "schema", "specs", "edge_cases.pflow")]


def examples(privflow, source_dir, work):
    validator = load_validator(source_dir)
    failures = checked = flows = 0
    for spec in example_specs(source_dir):
        name = os.path.basename(spec)[:-len(".pflow")]
        try:
            sarif = run(privflow, "sarif", spec, os.path.join(work, name + ".sarif"))
            report = run(privflow, "json", spec, os.path.join(work, name + ".json"))
        except (RuntimeError, OSError, ValueError) as e:
            print(f"FAIL {name}: {e}")
            failures += 1
            continue
        errs = errors_of(validator, sarif)
        if errs:
            print(f"FAIL {name}: {len(errs)} schema error(s)")
            for e in errs[:20]:
                print(describe(e))
            failures += 1
            continue
        with open(spec, encoding="utf-8") as f:
            lines = f.read().split("\n")
        bad = content_errors(sarif, report, lines)
        if bad:
            print(f"FAIL {name}: " + "; ".join(bad[:10]))
            failures += 1
            continue
        results = sarif["runs"][0]["results"]
        flows += sum(len(r.get("codeFlows", [])) for r in results)
        checked += 1
        print(f"ok   {name}: {len(results)} result(s), {sum(1 for r in results if r['level'] == 'error')} with level error")
    if flows == 0:
        print("FAIL: no example has a code flow at all (the test would be vacuous)")
        failures += 1
    print(f"{checked} passed, {failures} failed, {flows} code flows")
    return 1 if failures else 0


def fingerprints_by_requirement(sarif):
    return {r["properties"]["requirement"]: (r["partialFingerprints"][FINGERPRINT], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in sarif["runs"][0]["results"]}


def fingerprints(privflow, source_dir, work):
    failures = checked = 0
    for spec in example_specs(source_dir):
        name = os.path.basename(spec)[:-len(".pflow")]
        with open(spec, encoding="utf-8") as f:
            text = f.read()
        base = fingerprints_by_requirement(run(privflow, "sarif", spec, os.path.join(work, name + ".sarif")))
        if not base:
            continue
        # Three blank lines above every line: every statement moves, and so does every line<N> name.
        moved_spec = os.path.join(work, name + ".pflow")
        # The tables a spec reads from files (`given F from "x.csv"`) go beside the moved copy.
        for table in glob.glob(os.path.join(os.path.dirname(spec), "*.csv")):
            shutil.copy(table, work)
        with open(moved_spec, "w", encoding="utf-8") as f:
            f.write("".join("\n\n\n" + line for line in text.splitlines(keepends=True)))
        moved = run(privflow, "sarif", moved_spec, os.path.join(work, name + ".moved.sarif"))
        prints = sorted(r["partialFingerprints"][FINGERPRINT] for r in moved["runs"][0]["results"])
        lines = sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in moved["runs"][0]["results"])
        if prints != sorted(p for p, _ in base.values()):
            print(f"FAIL {name}: fingerprints changed when lines moved")
            failures += 1
            continue
        if lines != sorted(4 * line for _, line in base.values()):
            print(f"FAIL {name}: the results did not move to the new lines ({lines})")
            failures += 1
            continue
        checked += 1
        print(f"ok   {name}: {len(base)} fingerprint(s) equal after the lines moved")
    # A renamed requirement is another requirement: its fingerprint changes, the others' do not.
    spec = os.path.join(source_dir, "examples", "hospital_fl.pflow")
    with open(spec, encoding="utf-8") as f:
        text = f.read()
    if "outsider_budget" not in text:
        print("FAIL: hospital_fl.pflow has no requirement named outsider_budget")
        return 1
    renamed_spec = os.path.join(work, "hospital_fl_renamed.pflow")
    with open(renamed_spec, "w", encoding="utf-8") as f:
        f.write(text.replace("outsider_budget", "analyst_budget"))
    base = fingerprints_by_requirement(run(privflow, "sarif", spec, os.path.join(work, "hospital_fl.sarif")))
    renamed = fingerprints_by_requirement(run(privflow, "sarif", renamed_spec, os.path.join(work, "hospital_fl_renamed.sarif")))
    others_equal = all(renamed.get(k, (None,))[0] == v[0] for k, v in base.items() if k != "outsider_budget")
    if "outsider_budget" not in base or renamed["analyst_budget"][0] == base["outsider_budget"][0] or not others_equal:
        print("FAIL renamed: the renamed requirement kept its fingerprint, or another one changed")
        failures += 1
    else:
        checked += 1
        print("ok   renamed: only the renamed requirement's fingerprint changed")
    if checked < 2:
        print("FAIL: fewer than two specs had results (the test would be vacuous)")
        failures += 1
    print(f"{checked} passed, {failures} failed")
    return 1 if failures else 0


def negative(privflow, source_dir, work):
    validator = load_validator(source_dir)
    base = run(privflow, "sarif", os.path.join(source_dir, "examples", "hospital_fl.pflow"), os.path.join(work, "base.sarif"))
    if errors_of(validator, base):
        print("FAIL: the base log is itself invalid")
        return 1

    def result(log):
        return next(r for r in log["runs"][0]["results"] if r.get("codeFlows"))

    def bad_level(log):
        result(log)["level"] = "fatal"

    def no_version(log):
        del log["version"]

    def wrong_version(log):
        log["version"] = "2.0.0"

    def empty_thread_flow(log):
        result(log)["codeFlows"][0]["threadFlows"][0]["locations"] = []

    def no_thread_flows(log):
        del result(log)["codeFlows"][0]["threadFlows"]

    def line_zero(log):
        result(log)["locations"][0]["physicalLocation"]["region"]["startLine"] = 0

    def fingerprint_number(log):
        result(log)["partialFingerprints"][FINGERPRINT] = 7

    def unknown_result_key(log):
        result(log)["fingerprint"] = "x"

    def rule_without_id(log):
        del log["runs"][0]["tool"]["driver"]["rules"][0]["id"]

    def message_without_text(log):
        result(log)["message"] = {}

    cases = [bad_level, no_version, wrong_version, empty_thread_flow, no_thread_flows, line_zero,
             fingerprint_number, unknown_result_key, rule_without_id, message_without_text]
    failures = 0
    for case in cases:
        broken = copy.deepcopy(base)
        case(broken)
        errs = errors_of(validator, broken)
        if errs:
            print(f"ok   {case.__name__}: rejected ({describe(errs[0]).strip()})")
        else:
            print(f"FAIL {case.__name__}: the broken log passed validation")
            failures += 1
    print(f"{len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


def main():
    modes = {"examples": examples, "fingerprints": fingerprints, "negative": negative}
    if len(sys.argv) != 5 or sys.argv[1] not in modes:
        print(__doc__)
        return 2
    mode, privflow, source_dir, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    print(f"python {sys.version.split()[0]} at {sys.executable}")
    return modes[mode](privflow, source_dir, work)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks the editor grammars in editors/ against the language as the sources define it.

  check_grammars.py keywords SOURCE_DIR
      every keyword the parser accepts (PF_KW("...") of lang/parser.cpp, the keyword tables of
      lang/lexical.hpp)
      and every fixed word the checker accepts (the kinds and parameters of flow/catalogue.cpp, the
      lists and comparisons of lang/check*.cpp) is listed in editors/privflow.tmLanguage.json and editors/vim/syntax/privflow.vim
  check_grammars.py textmate SOURCE_DIR
      the TextMate grammar: its regexes compile (Python re, close to Oniguruma for this subset),
      every keyword gets a highlight scope, every example and tests/diagnostics/*.pflow tokenises
      with no token boundary inside a word, and known places get known scopes
  check_grammars.py vim SOURCE_DIR WORK_DIR
      Vim, headless: the filetype is detected, and the syntax groups at known places of
      examples/hospital_fl.pflow and of every keyword are right (exit 77, skipped, without vim)
  check_grammars.py vscode SOURCE_DIR
      editors/vscode/package.json declares .pflow and points at the same grammar

Each failure names the word or place and the file it concerns.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

TM = os.path.join("editors", "privflow.tmLanguage.json")
VIM = os.path.join("editors", "vim", "syntax", "privflow.vim")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# ------------------------------------------------------------------------------------------
# The language's words, straight from the sources
# ------------------------------------------------------------------------------------------

def language_words(src):
    """word -> where it was found."""
    words = {}

    def add(word, origin):
        if WORD.match(word):
            words.setdefault(word, origin)

    parser = open(os.path.join(src, "lang", "parser.cpp"), encoding="utf-8").read()
    for w in re.findall(r'PF_KW\(\s*"([^"]+)"\s*\)', parser):
        add(w, "lang/parser.cpp PF_KW")
    lexical = open(os.path.join(src, "lang", "lexical.hpp"), encoding="utf-8").read()
    for table in ("kStatementKeywords", "kReserved", "kExprKeywords"):
        m = re.search(table + r"\s*=\s*\{(.*?)\};", lexical, re.S)
        if not m:
            raise SystemExit(f"FAIL: lang/lexical.hpp has no table {table} any more: update tests/editors")
        for w in re.findall(r'"([^"]*)"', m.group(1)):
            add(w, f"lang/lexical.hpp {table}")

    # The catalogue of computations (flow/catalogue.cpp): every kind and every parameter,
    # written as {C::kLaplace, "laplace", ...} and {K::kEpsilon, "epsilon", ...}.
    catalogue = open(os.path.join(src, "flow", "catalogue.cpp"), encoding="utf-8").read()
    kinds = re.findall(r'\{\s*C::k\w+\s*,\s*"([^"]+)"', catalogue)
    params = re.findall(r'\{\s*K::k\w+\s*,\s*"([^"]+)"', catalogue)
    if len(kinds) < 16 or len(params) < 14:
        raise SystemExit("FAIL: flow/catalogue.cpp's kinds or parameters are no longer found: update tests/editors")
    for w in kinds:
        add(w, "flow/catalogue.cpp (kind)")
    for w in params:
        add(w, "flow/catalogue.cpp (parameter)")

    # The checker's passes (lang/check*.cpp): every list of words (keys, trust levels,
    # channels, suggestions) and every word compared against user input (key == "delta").
    for path in sorted(glob.glob(os.path.join(src, "lang", "check*.cpp"))):
        name = "lang/" + os.path.basename(path)
        check = open(path, encoding="utf-8").read()
        for lst in re.findall(r'\{\s*"[A-Za-z_]\w*"(?:\s*,\s*"[A-Za-z_]\w*")*\s*\}', check):
            for w in re.findall(r'"([^"]*)"', lst):
                add(w, name + " word list")
        for w in re.findall(r'(?:==|!=)\s*"([A-Za-z_]\w*)"', check):
            add(w, name + " comparison")
    # Self-check of the extraction, so that a refactoring of the sources cannot empty it.
    for must in ("compute", "require", "unless", "partition", "laplace", "dpsgd", "pseudonymize", "malicious",
                 "secure_aggregation", "min_clients", "rdp", "add_remove", "noise_multiplier", "not"):
        if must not in words:
            raise SystemExit(f"FAIL: the keyword extraction no longer finds '{must}': update tests/editors")
    return words


def regex_words(pattern):
    """The words a regex spells out (escapes such as \\b or \\s removed)."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"\\.", " ", pattern)))


def load_tm(src):
    with open(os.path.join(src, TM), encoding="utf-8") as f:
        return json.load(f)


def tm_regexes(grammar):
    out = []

    def walk(rule, where):
        for key in ("match", "begin", "end"):
            if key in rule:
                out.append((where + "." + key, rule[key]))
        for i, p in enumerate(rule.get("patterns", [])):
            walk(p, f"{where}.patterns[{i}]")

    walk(grammar, "")
    for name, rule in grammar.get("repository", {}).items():
        walk(rule, "repository." + name)
    return out


def vim_words(text):
    words = set()
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"syn(?:tax)?\s+keyword\s+\w+\s+(.*)", line)
        if m:
            words |= {w for w in m.group(1).split() if "=" not in w}
            continue
        m = re.match(r"syn(?:tax)?\s+(?:match|region)\s+\w+\s+(.*)", line)
        if m:
            words |= regex_words(m.group(1))
    return words


def check_keywords(src):
    words = language_words(src)
    tm_words = set()
    for _, rx in tm_regexes(load_tm(src)):
        tm_words |= regex_words(rx)
    vim = vim_words(open(os.path.join(src, VIM), encoding="utf-8").read())
    failures = 0
    for w in sorted(words):
        for path, listed in ((TM, tm_words), (VIM, vim)):
            if w not in listed:
                print(f"FAIL keyword '{w}' ({words[w]}) is missing from {path}")
                failures += 1
    print(f"{len(words)} keywords from lang/parser.cpp, lang/lexical.hpp, flow/catalogue.cpp and lang/check*.cpp checked in 2 grammars")
    print(f"{2 * len(words) - failures} passed, {failures} failed")
    return 1 if failures else 0


# ------------------------------------------------------------------------------------------
# A small TextMate tokenizer (match, begin/end, captures, include of the repository)
# ------------------------------------------------------------------------------------------

class Tokenizer:
    def __init__(self, grammar):
        self.g = grammar
        self.repo = grammar.get("repository", {})
        self.cache = {}

    def rx(self, pattern):
        if pattern not in self.cache:
            self.cache[pattern] = re.compile(pattern)
        return self.cache[pattern]

    def expand(self, patterns):
        out = []
        for p in patterns:
            if "include" in p:
                inc = p["include"]
                if inc == "$self":
                    out += self.expand(self.g["patterns"])
                    continue
                rule = self.repo[inc[1:]]
                if "match" in rule or "begin" in rule:
                    out.append(rule)
                else:
                    out += self.expand(rule.get("patterns", []))
            elif "match" in p or "begin" in p:
                out.append(p)
            else:
                out += self.expand(p.get("patterns", []))
        return out

    def tokenize(self, text):
        """[(line, start, end, [scopes])] for every matched piece (captures included)."""
        tokens = []
        stack = []  # open begin rules (strings end on their line, so the stack empties there)
        for ln, line in enumerate(text.split("\n"), 1):
            pos = 0
            for _ in range(10 * len(line) + 10):  # each step advances or closes a rule
                rule = stack[-1] if stack else None
                patterns = self.expand(rule.get("patterns", [])) if rule else self.expand(self.g["patterns"])
                outer = [r["name"] for r in stack if r.get("name")]
                best = None  # (start, order, kind, rule, match): earliest wins, then the first listed
                if rule is not None:
                    m = self.rx(rule["end"]).search(line, pos)
                    if m:
                        best = (m.start(), -1, "end", rule, m)
                for i, p in enumerate(patterns):
                    m = self.rx(p.get("match", p.get("begin"))).search(line, pos)
                    if m and (best is None or (m.start(), i) < best[:2]):
                        best = (m.start(), i, "begin" if "begin" in p else "match", p, m)
                if best is None:
                    break
                _, _, kind, r, m = best
                if kind == "end":
                    tokens.append((ln, m.start(), m.end(), outer))
                    stack.pop()
                else:
                    scopes = outer + ([r["name"]] if r.get("name") else [])
                    tokens.append((ln, m.start(), m.end(), scopes))
                    caps = r.get("captures" if kind == "match" else "beginCaptures", {})
                    for k, c in caps.items():
                        if m.group(int(k)) is not None and c.get("name"):
                            tokens.append((ln, m.start(int(k)), m.end(int(k)), scopes + [c["name"]]))
                    if kind == "begin":
                        stack.append(r)
                if m.end() > pos:
                    pos = m.end()
                elif kind == "match":
                    pos += 1
                if pos > len(line) or (pos == len(line) and not stack):
                    break
            if stack:
                raise SystemExit(f"FAIL: {TM}: a begin rule stays open past line {ln}: strings are one line")
        return tokens


HIGHLIGHT = ("keyword.", "support.", "constant.language", "storage.type", "variable.parameter")


def scopes_at(tokens, line, col):
    """The scopes of the innermost token covering (line, col), 0-based col; [] when none."""
    best = []
    best_len = None
    for ln, s, e, scopes in tokens:
        if ln == line and s <= col < e:
            if best_len is None or e - s <= best_len:
                best, best_len = scopes, e - s
    return best


def scope_at(tokens, line, col):
    scopes = scopes_at(tokens, line, col)
    return scopes[-1] if scopes else ""


def word_at(needle, word):
    """Where `word` stands in `needle` as a whole word."""
    m = re.search(r"(?<![\w])" + re.escape(word) + r"(?![\w])", needle)
    return m.start() if m else needle.index(word)


def code_lines(text, needle):
    """(index, column) of the first line outside comments that contains needle."""
    for i, l in enumerate(text):
        if needle in l and (needle.startswith("#") or not l.lstrip().startswith("#")):
            return i, l.index(needle)
    return None


def check_textmate(src):
    grammar = load_tm(src)
    failures = 0
    passed = 0

    def fail(msg):
        nonlocal failures
        print("FAIL " + msg)
        failures += 1

    if grammar.get("scopeName") != "source.pflow" or grammar.get("fileTypes") != ["pflow"]:
        fail(f"{TM}: scopeName must be source.pflow and fileTypes [\"pflow\"]")
    for where, pattern in tm_regexes(grammar):
        try:
            re.compile(pattern)
            passed += 1
        except re.error as e:
            fail(f"{TM} {where}: regex does not compile: {e}: {pattern}")
    for name in re.findall(r'"include":\s*"#([^"]+)"', json.dumps(grammar)):
        if name not in grammar.get("repository", {}):
            fail(f"{TM}: include of a missing repository rule #{name}")
    if failures:
        return 1
    tok = Tokenizer(grammar)

    # Every keyword gets a highlight scope in one of its natural contexts.
    for w, origin in sorted(language_words(src).items()):
        ok = False
        for ctx in (w, w + "(", w + ": 1", "send x via " + w, "x " + w + " y"):
            col = ctx.index(w) if not ctx.startswith("x ") else 2
            sc = scope_at(tok.tokenize(ctx), 1, col)
            if sc.startswith(HIGHLIGHT):
                ok = True
                break
        if ok:
            passed += 1
        else:
            fail(f"{TM}: keyword '{w}' ({origin}) gets no keyword scope")

    # No token boundary inside a word, in every example and diagnostics spec.
    files = sorted(glob.glob(os.path.join(src, "examples", "*.pflow")) +
                   glob.glob(os.path.join(src, "tests", "diagnostics", "*.pflow")) +
                   glob.glob(os.path.join(src, "tests", "schema", "specs", "*.pflow")))
    if len(files) < 10:
        fail("too few specs found to tokenise")
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        if text.startswith("\ufeff"):
            text = text[1:]
        lines = text.split("\n")
        bad = 0
        for ln, s, e, scopes in tok.tokenize(text):
            if any(x.startswith(("comment.", "string.")) for x in scopes):
                continue
            line = lines[ln - 1]

            def inside(i):
                return 0 < i < len(line) and re.match(r"\w", line[i - 1]) and re.match(r"\w", line[i])
            if inside(s) or inside(e):
                bad += 1
                if bad <= 3:
                    fail(f"{os.path.relpath(path, src)}:{ln}:{s + 1}: token '{line[s:e]}' ({scopes[-1]}) splits a word: {line.strip()}")
        if bad == 0:
            passed += 1

    # Known places get known scopes.
    hosp = open(os.path.join(src, "examples", "hospital_fl.pflow"), encoding="utf-8").read()
    table = [
        ("compute update at hospital", "compute", "keyword.control.statement.pflow"),
        ("compute update at hospital", "update", "entity.name.function.artifact.pflow"),
        ("compute update at hospital", "at", "keyword.other.pflow"),
        ('pipeline hospital_fl "Federated diagnosis model"', '"Federated', "string.quoted.double.pflow"),
        ('pipeline hospital_fl "Federated diagnosis model"', "hospital_fl", "entity.name.section.pipeline.pflow"),
        ("settings { delta: 1e-5, accountant: auto }", "1e-5", "constant.numeric.pflow"),
        ("settings { delta: 1e-5, accountant: auto }", "delta", "variable.parameter.pflow"),
        ("settings { delta: 1e-5, accountant: auto }", "auto", "constant.language.pflow"),
        ("cancer: {1/2, 1/2}", "1/2", "constant.numeric.pflow"),
        ("# hospital_fl: the flagship", "hospital_fl", "comment.line.number-sign.pflow"),
        ("= dpsgd(patients", "dpsgd", "support.function.mechanism.pflow"),
        ("via secure_aggregation(threshold: 15)", "secure_aggregation", "support.type.channel.pflow"),
        ("via secure_aggregation(threshold: 15)", "threshold", "variable.parameter.pflow"),
        ("agent hospital[20]", "hospital", "entity.name.type.pflow"),
        ("  trust: curious", "curious", "constant.language.pflow"),
        ("require outsider_budget: dp(patients)", "outsider_budget", "entity.name.label.pflow"),
        ("require outsider_budget: dp(patients)", "dp", "support.function.measure.pflow"),
        ("require outsider_budget: dp(patients) against outsider <= epsilon 2.0", "<=", "keyword.operator.comparison.pflow"),
        ("forbid health from EU to US unless epsilon <= 3.0", "unless", "keyword.other.pflow"),
        ("adversary any16 = any 16 of", "any16", "entity.name.tag.adversary.pflow"),
        ("adversary any16 = any 16 of", "16", "constant.numeric.pflow"),
        ("  region: EU", "region", "variable.parameter.pflow"),
        ("region US", "region", "keyword.control.statement.pflow"),
        ("  category: health", "category", "variable.parameter.pflow"),
        ("  holds: patients by partition", "by", "keyword.other.pflow"),
        ("  holds: patients by partition", "partition", "keyword.other.pflow"),
    ]
    hosp_tokens = tok.tokenize(hosp)
    hosp_lines = hosp.split("\n")
    for needle, word, expected in table:
        hit = code_lines(hosp_lines, needle)
        if not hit:
            fail(f"examples/hospital_fl.pflow no longer contains '{needle}': update tests/editors")
            continue
        ln, col = hit[0] + 1, hit[1] + word_at(needle, word)
        got = scope_at(hosp_tokens, ln, col)
        if expected in scopes_at(hosp_tokens, ln, col):
            passed += 1
        else:
            fail(f"{TM}: hospital_fl.pflow:{ln}:{col + 1} '{word}' is {got or '(no scope)'}, expected {expected}")
    synthetic = [
        ("rows: 50_000", "50_000", "constant.numeric.pflow"),
        ("x: 2.5e+3/7", "2.5e+3/7", "constant.numeric.pflow"),
        ('p "a \\" b"', '\\"', "constant.character.escape.pflow"),
        ('p "a \\t b"', "\\t", "invalid.illegal.escape.pflow"),
        ("map(people, if age > 17 then 1 else 0)", "if", "keyword.control.conditional.pflow"),
        ("map(people, not x and y)", "and", "keyword.operator.logical.pflow"),
        ("x // a comment", "// a", "comment.line.double-slash.pflow"),
        ("field age: int[0, 120]", "int", "storage.type.pflow"),
        ("field age: int[0, 120]", "age", "variable.other.field.pflow"),
        ("compute data_set at at_home", "data_set", "entity.name.function.artifact.pflow"),
        ("holds: datasets", "datasets", ""),
        ("select(users, countries)", "countries", ""),
        ("map2(x)", "map2", ""),
    ]
    for line, word, expected in synthetic:
        toks = tok.tokenize(line)
        got = scope_at(toks, 1, word_at(line, word))
        if (expected in scopes_at(toks, 1, word_at(line, word))) if expected else not got:
            passed += 1
        else:
            fail(f"{TM}: in '{line}', '{word}' is {got or '(no scope)'}, expected {expected or '(no scope)'}")
    print(f"{passed} passed, {failures} failed")
    return 1 if failures else 0


# ------------------------------------------------------------------------------------------
# Vim, headless
# ------------------------------------------------------------------------------------------

def vim_groups(src, work, files):
    """{path: [[group per column] per line]} as Vim's syntax sees them, and each file's filetype."""
    script = os.path.join(work, "dump.vim")
    outs = []
    with open(script, "w", encoding="utf-8") as f:
        for i, path in enumerate(files):
            out = os.path.join(work, f"groups{i}.txt")
            outs.append(out)
            f.write(f"execute 'edit ' . fnameescape('{path}')\n")
            f.write("let s:out = [&filetype]\n")
            f.write("for s:l in range(1, line('$'))\n")
            f.write("  let s:names = []\n")
            f.write("  for s:c in range(1, len(getline(s:l)))\n")
            f.write("    let s:n = synIDattr(synID(s:l, s:c, 1), 'name')\n")
            f.write("    call add(s:names, empty(s:n) ? '-' : s:n)\n")
            f.write("  endfor\n")
            f.write("  call add(s:out, join(s:names, ' '))\n")
            f.write("endfor\n")
            f.write(f"call writefile(s:out, '{out}')\n")
        f.write("qa!\n")
    cmd = ["vim", "-Nes", "-u", "NONE", "-i", "NONE", "--cmd", "set rtp^=" + os.path.join(src, "editors", "vim"),
           "-c", "syntax on", "-c", "filetype on", "-c", "source " + script, "-c", "qa!"]
    subprocess.run(cmd, capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
    result = {}
    for path, out in zip(files, outs):
        if not os.path.exists(out):
            raise SystemExit(f"FAIL: vim wrote no syntax dump for {path}: command was {' '.join(cmd)}")
        rows = open(out, encoding="utf-8").read().split("\n")
        result[path] = (rows[0], [r.split(" ") if r else [] for r in rows[1:]])
    return result


def check_vim(src, work):
    if not shutil.which("vim"):
        print("SKIPPED: vim is not installed")
        return 77
    os.makedirs(work, exist_ok=True)
    words = language_words(src)
    # One line per keyword and context; ASCII only, so columns are bytes.
    contexts = []
    lines = []
    for w in sorted(words):
        for ctx in (w, w + "(x)", w + ": 1", "send x via " + w):
            contexts.append((w, len(lines) + 1, ctx.index(w)))
            lines.append(ctx)
    boundary = ["data_x at_y compute2 myagent by_region laplace_2(x) rows_: notify", "x1e5 a1_2 e5 _1"]
    # Known groups on synthetic lines: (line, word, group).
    extra = [
        ("rows: 50_000", "50_000", "pflowNumber"),
        ("x: 2.5e+3/7", "2.5e+3/7", "pflowNumber"),
        ('p "a \\" b"', '\\"', "pflowEscape"),
        ('p "a \\t b"', "\\t", "pflowBadEscape"),
        ("x // a comment", "// a comment", "pflowComment"),
        ("map(people, if age > 17 then 1 else 0)", "then", "pflowConditional"),
        ("map(people, not x and y)", "and", "pflowOperatorWord"),
        ("field age: int[0, 120]", "int", "pflowType"),
        ("send x via shuffler(by: s)", "by", "pflowProperty"),
        ("select(users, likes)", "select", "pflowComputation"),
    ]
    synth = os.path.join(work, "keywords.pflow")
    with open(synth, "w", encoding="utf-8") as f:
        f.write("\n".join(lines + boundary + [x[0] for x in extra]) + "\n")
    hosp = os.path.join(src, "examples", "hospital_fl.pflow")
    groups = vim_groups(src, work, [hosp, synth])
    failures = 0
    passed = 0

    def fail(msg):
        nonlocal failures
        print("FAIL " + msg)
        failures += 1

    for path in (hosp, synth):
        if groups[path][0] != "privflow":
            fail(f"editors/vim/ftdetect: {os.path.basename(path)} has filetype '{groups[path][0]}', expected privflow")
        else:
            passed += 1
    rows = groups[synth][1]
    for w in sorted(words):
        got = [rows[ln - 1][col] for (x, ln, col) in contexts if x == w and col < len(rows[ln - 1])]
        good = [g for g in got if g not in ("-", "pflowDeclName", "pflowLabel", "pflowString", "pflowComment")]
        if good:
            passed += 1
        else:
            fail(f"{VIM}: keyword '{w}' ({words[w]}) gets no syntax group (got {got})")
    for k, line in enumerate(boundary):
        row = rows[len(lines) + k]
        for m in re.finditer(r"\w+", line):
            g = set(row[m.start():m.end()])
            if g - {"-"}:
                fail(f"{VIM}: '{m.group()}' in '{line}' is highlighted ({sorted(g)}): a keyword matched inside a word")
            else:
                passed += 1

    for k, (line, word, expected) in enumerate(extra):
        row = rows[len(lines) + len(boundary) + k]
        col = word_at(line, word)
        got = set(row[col:col + len(word)])
        if got == {expected}:
            passed += 1
        else:
            fail(f"{VIM}: in '{line}', '{word}' has groups {sorted(got)}, expected {expected}")

    text = open(hosp, encoding="utf-8").read().split("\n")
    hrows = groups[hosp][1]
    table = [
        ("compute update at hospital", "compute", "pflowStatement"),
        ("compute update at hospital", "update", "pflowDeclName"),
        ('pipeline hospital_fl "Federated diagnosis model"', '"Federated', "pflowString"),
        ("settings { delta: 1e-5, accountant: auto }", "1e-5", "pflowNumber"),
        ("settings { delta: 1e-5, accountant: auto }", "accountant", "pflowProperty"),
        ("settings { delta: 1e-5, accountant: auto }", "auto", "pflowConstant"),
        ("cancer: {1/2, 1/2}", "1/2", "pflowNumber"),
        ("# hospital_fl: the flagship", "flagship", "pflowComment"),
        ("= dpsgd(patients", "dpsgd", "pflowMechanism"),
        ("via secure_aggregation(threshold: 15)", "secure_aggregation", "pflowChannel"),
        ("require outsider_budget: dp(patients)", "outsider_budget", "pflowLabel"),
        ("require outsider_budget: dp(patients)", "dp", "pflowMeasure"),
        ("  trust: curious", "curious", "pflowConstant"),
        ("  region: EU", "region", "pflowProperty"),
        ("region US", "region", "pflowStatement"),
        ("  category: health", "category", "pflowProperty"),
        ("category health special", "category", "pflowStatement"),
        ("settings { delta: 1e-5", "delta", "pflowProperty"),
        ("against outsider <= epsilon 2.0", "epsilon", "pflowKeyword"),
        ("  holds: patients by partition", "by", "pflowKeyword"),
        ("adversary insider = {server, 14 of hospital}", "14", "pflowNumber"),
    ]
    for needle, word, expected in table:
        hit = code_lines(text, needle)
        if not hit:
            fail(f"examples/hospital_fl.pflow no longer contains '{needle}': update tests/editors")
            continue
        i, col = hit[0], hit[1] + word_at(needle, word)
        got = set(hrows[i][col:col + len(word)])
        if got == {expected}:
            passed += 1
        else:
            fail(f"{VIM}: hospital_fl.pflow:{i + 1}:{col + 1} '{word}' has groups {sorted(got)}, expected {expected}")
    print(f"{passed} passed, {failures} failed")
    return 1 if failures else 0


def check_vscode(src):
    """The VS Code extension folder uses the very grammar checked above."""
    base = os.path.join(src, "editors", "vscode")
    pkg = json.load(open(os.path.join(base, "package.json"), encoding="utf-8"))
    failures = 0
    langs = pkg.get("contributes", {}).get("languages", [])
    grammars = pkg.get("contributes", {}).get("grammars", [])
    if not any(".pflow" in l.get("extensions", []) and l.get("id") == "privflow" for l in langs):
        print("FAIL editors/vscode/package.json: no language privflow for .pflow")
        failures += 1
    for g in grammars:
        path = os.path.join(base, g.get("path", ""))
        if g.get("scopeName") != "source.pflow" or not os.path.isfile(path):
            print(f"FAIL editors/vscode/package.json: grammar {g} is not source.pflow at an existing path")
            failures += 1
        elif open(path, "rb").read() != open(os.path.join(src, TM), "rb").read():
            print(f"FAIL editors/vscode: {g['path']} differs from {TM}")
            failures += 1
    if len(grammars) != 1:
        print("FAIL editors/vscode/package.json: expected exactly one grammar")
        failures += 1
    for l in langs:
        conf = l.get("configuration")
        if conf:
            json.load(open(os.path.join(base, conf), encoding="utf-8"))
    print(f"{3 - failures} passed, {failures} failed")
    return 1 if failures else 0


def main():
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "keywords":
        return check_keywords(args[1])
    if len(args) >= 2 and args[0] == "textmate":
        return check_textmate(args[1])
    if len(args) >= 2 and args[0] == "vscode":
        return check_vscode(args[1])
    if len(args) >= 3 and args[0] == "vim":
        return check_vim(args[1], args[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())

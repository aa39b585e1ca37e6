#!/usr/bin/env python3
"""The structure of privflow's source tree, as tests (issue #16, item 6).

  check_structure.py source ROOT
      Every #include in the layered folders (tests/structure/layers.txt) goes down a layer or
      stays in its folder; detail/ headers are included only by their own folder and never by
      a public header; public headers include only the third-party headers their folder links
      PUBLIC.
  check_structure.py installed CMAKE BUILD SCRATCH
      `cmake --install BUILD --prefix SCRATCH`, then: no detail/ header is installed, and every
      project header an installed header includes is installed too.
  check_structure.py self-test
      The source check on small trees with one fault each: it must name every fault.

Exit status 0 when the tree is clean, 1 with one line per problem on standard error.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_SUFFIXES = ('.hpp', '.h', '.hh', '.ipp', '.cpp', '.cc')
HEADER_SUFFIXES = ('.hpp', '.h', '.hh', '.ipp')
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)


class Layers:
    """The table of tests/structure/layers.txt."""

    def __init__(self, path):
        self.path = path
        self.direct = {}        # folder -> folders it names
        self.aliases = {}       # include path -> folder
        self.third_party = []   # (header or prefix, folders allowed in public headers)
        self.not_installed = set()
        with open(path, encoding='utf-8') as f:
            for number, raw in enumerate(f, 1):
                line = raw.split('#', 1)[0].strip()
                if line:
                    self._parse(line, number)
        self.allowed = {folder: self._closure(folder) for folder in self.direct}

    def _parse(self, line, number):
        keyword, _, rest = line.partition(' ')
        names, _, values = rest.partition(':')
        names, values = names.split(), values.split()
        if keyword == 'layer' and len(names) == 1:
            self.direct[names[0]] = values
        elif keyword == 'alias' and len(names) == 1 and len(values) == 1:
            self.aliases[names[0]] = values[0]
        elif keyword == 'third-party' and names and values:
            folders = set() if values == ['-'] else set(values)
            self.third_party += [(name, folders) for name in names]
        elif keyword == 'not-installed':
            self.not_installed.update(names + values)
        else:
            raise SystemExit(f'{self.path}:{number}: cannot read "{line}"')

    def _closure(self, folder):
        seen, todo = {folder}, [folder]
        while todo:
            for below in self.direct.get(todo.pop(), []):
                if below not in self.direct:
                    raise SystemExit(f'{self.path}: layer {below} is named but not declared')
                if below not in seen:
                    seen.add(below)
                    todo.append(below)
        return seen

    def folder_of(self, include):
        """The layered folder an include path names, or None."""
        if include in self.aliases:
            return self.aliases[include]
        first = include.split('/', 1)[0]
        return first if '/' in include and first in self.direct else None

    def third_party_rule(self, include):
        for name, folders in self.third_party:
            if include == name or (name.endswith('/') and include.startswith(name)):
                return name, folders
        return None


def includes(path):
    """(line, quote, path) of every #include, block comments removed (line numbers kept)."""
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    for m in INCLUDE.finditer(text):
        yield text.count('\n', 0, m.start()) + 1, m.group(1), m.group(2)


def is_detail(path):
    return 'detail' in path.replace(os.sep, '/').split('/')[:-1]


def check_file(layers, root, folder, path, problems):
    rel = os.path.relpath(path, root).replace(os.sep, '/')
    public_header = rel.endswith(HEADER_SUFFIXES) and not is_detail(rel)
    may = layers.allowed[folder]
    for line, quote, target in includes(path):
        where = f'{rel}:{line}: #include {quote}{target}{">" if quote == "<" else quote}'
        owner = layers.folder_of(target)
        if owner is None and quote == '"':
            if os.path.exists(os.path.join(os.path.dirname(path), target)):
                owner = folder  # a path relative to the including file: its own folder
            else:
                problems.append(f'{where}: names no folder of {layers.path} (write "folder/file.hpp")')
                continue
        if owner is not None:
            if owner not in may:
                problems.append(f'{where}: goes up a layer: {folder} may include only '
                                f'{", ".join(sorted(may))} ({os.path.basename(layers.path)})')
            if is_detail(target) and owner != folder:
                problems.append(f'{where}: a detail/ header of {owner} is internal to {owner}')
            elif is_detail(target) and public_header:
                problems.append(f'{where}: a public header includes a detail/ header '
                                f'(it would be installed without it)')
            continue
        rule = layers.third_party_rule(target)
        if rule and public_header and folder not in layers.not_installed:
            name, folders = rule
            if not (folders & may):
                problems.append(f'{where}: a public header of {folder} includes {name}, which '
                                f'{folder} links PRIVATE: include it in a .cpp file or a detail/ header '
                                f'(or link it PUBLIC and say so in {os.path.basename(layers.path)})')


def check_source(root, layers_path=os.path.join(HERE, 'layers.txt')):
    layers = Layers(layers_path)
    problems, files = [], 0
    for folder in sorted(layers.direct):
        top = os.path.join(root, folder)
        if not os.path.isdir(top):
            problems.append(f'{folder}/: a layer of {layers.path} is not in the tree')
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(SOURCE_SUFFIXES):
                    files += 1
                    check_file(layers, root, folder, os.path.join(dirpath, name), problems)
    return problems, files


def check_installed(cmake, build, scratch):
    shutil.rmtree(scratch, ignore_errors=True)
    result = subprocess.run([cmake, '--install', build, '--prefix', scratch],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        return [f'cmake --install failed: {result.stderr.strip()}'], 0
    include = os.path.join(scratch, 'include')
    problems, headers = [], 0
    for dirpath, dirnames, filenames in os.walk(include):
        for name in filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, include).replace(os.sep, '/')
            headers += 1
            if is_detail(rel):
                problems.append(f'include/{rel}: a detail/ header is installed')
            for line, quote, target in includes(path):
                if quote != '"':
                    continue
                # Installed headers are reached as "folder/x.hpp" from include/privflow, and
                # the facade's as "privflow/x.hpp" from include/.
                if not any(os.path.exists(os.path.join(base, target))
                           for base in (include, os.path.join(include, 'privflow'))):
                    problems.append(f'include/{rel}:{line}: includes "{target}", which is not installed')
    if headers == 0:
        problems.append(f'no header installed under {include}')
    return problems, headers


def self_test():
    """Each case: files to write, and a fragment each problem line must contain."""
    clean = {
        'base/a.hpp': '#include <vector>\n#include <gmpxx.h>\n',
        'flow/g.hpp': '#include "base/a.hpp"\n',
        'solver/s.hpp': '#include "flow/g.hpp"\n#include <gmpxx.h>\n',
        'solver/detail/impl.hpp': '#include <z3++.h>\n#include "solver/s.hpp"\n',
        'solver/s.cpp': '#include "solver/detail/impl.hpp"\n/*\n#include "api/x.hpp"\n*/\n',
        'cli/c.hpp': '#include <CLI/CLI.hpp>\n#include "solver/s.hpp"\n',
    }
    layers = ('layer base:\nlayer flow: base\nlayer solver: flow\nlayer cli: solver\n'
              'third-party gmpxx.h: base\nthird-party z3++.h: -\nthird-party CLI/: -\nnot-installed cli\n')
    cases = [
        ('clean tree', {}, []),
        ('upward include', {'flow/up.cpp': '#include "solver/s.hpp"\n'},
         ['flow/up.cpp:1: #include "solver/s.hpp": goes up a layer: flow may include only base, flow']),
        ('sideways, two layers', {'base/b.cpp': '\n#include "cli/c.hpp"\n'},
         ['base/b.cpp:2: #include "cli/c.hpp": goes up a layer']),
        ('another folder\'s detail', {'cli/d.cpp': '#include "solver/detail/impl.hpp"\n'},
         ['cli/d.cpp:1: #include "solver/detail/impl.hpp": a detail/ header of solver is internal to solver']),
        ('public header includes detail', {'solver/t.hpp': '#include "solver/detail/impl.hpp"\n'},
         ['solver/t.hpp:1: #include "solver/detail/impl.hpp": a public header includes a detail/ header']),
        ('private library in a public header', {'solver/u.hpp': '#include <z3++.h>\n'},
         ['solver/u.hpp:1: #include <z3++.h>: a public header of solver includes z3++.h, which solver links PRIVATE']),
        ('unresolved include', {'flow/v.cpp': '#include "nowhere.hpp"\n'},
         ['flow/v.cpp:1: #include "nowhere.hpp": names no folder']),
    ]
    failures = 0
    for name, extra, expected in cases:
        with tempfile.TemporaryDirectory() as root:
            for rel, text in {**clean, **extra}.items():
                os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
                with open(os.path.join(root, rel), 'w') as f:
                    f.write(text)
            with open(os.path.join(root, 'layers.txt'), 'w') as f:
                f.write(layers)
            problems, _ = check_source(root, os.path.join(root, 'layers.txt'))
        missing = [e for e in expected if not any(e in p for p in problems)]
        if missing or len(problems) != len(expected):
            failures += 1
            print(f'self-test "{name}": expected {expected}, got {problems}', file=sys.stderr)
        else:
            print(f'self-test "{name}": {len(problems)} problem(s), as expected')
    return failures


def main(argv):
    if len(argv) == 3 and argv[1] == 'source':
        problems, count = check_source(argv[2])
        what = f'{count} files of the layered folders'
    elif len(argv) == 5 and argv[1] == 'installed':
        problems, count = check_installed(argv[2], argv[3], argv[4])
        what = f'{count} installed headers'
    elif len(argv) == 2 and argv[1] == 'self-test':
        return 1 if self_test() else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print(p, file=sys.stderr)
    print(f'{what}: {len(problems)} problem(s)')
    # Never pass on an empty tree: the check must have read something.
    return 1 if problems or count == 0 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

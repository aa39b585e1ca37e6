"""editors/vscode is an extension that starts the language server: its manifest names an entry
point that exists, depends on vscode-languageclient (from npm, not built by CMake), activates
on the privflow language, and its entry point starts `privflow lsp`. With Node.js installed,
the entry point is also checked for syntax (`node --check`).

    check_vscode_extension.py SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys


def main(source_dir):
    base = os.path.join(source_dir, 'editors', 'vscode')
    manifest = json.load(open(os.path.join(base, 'package.json'), encoding='utf-8'))
    failures = []
    main_file = os.path.join(base, manifest.get('main', ''))
    if not manifest.get('main') or not os.path.isfile(main_file):
        failures.append(f"package.json's main {manifest.get('main')!r} is not a file")
    if 'vscode-languageclient' not in manifest.get('dependencies', {}):
        failures.append('package.json does not depend on vscode-languageclient')
    if 'onLanguage:privflow' not in manifest.get('activationEvents', []):
        failures.append('the extension does not activate on the privflow language')
    if os.path.isfile(main_file):
        code = open(main_file, encoding='utf-8').read()
        for needed in ("require('vscode-languageclient/node')", "'lsp'", "language: 'privflow'"):
            if needed not in code:
                failures.append(f'{manifest["main"]} lacks {needed}')
        node = shutil.which('node') or shutil.which('nodejs')
        if node and subprocess.run([node, '--check', main_file]).returncode != 0:
            failures.append(f'{manifest["main"]} does not parse (node --check)')
    for failure in failures:
        print('FAIL editors/vscode:', failure)
    print('ok' if not failures else f'{len(failures)} failure(s)')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))

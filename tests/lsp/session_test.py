"""The golden transcript of a language-server session (issue #23, item 2): initialize, didOpen
of a spec with an error, the quick fix for it, the analysis, hover on a release and on a
requirement, completion of a mechanism's parameters, definition and references, document
symbols, shutdown and exit — every message both ways, compared with session.golden.json.

    session_test.py PRIVFLOW SOURCE_DIR      (PRIVFLOW_UPDATE_GOLDENS=1 rewrites the golden)
"""
import json
import math
import os
import sys

from lsp_client import Client, epsilon_text, position_of

URI = 'file:///golden/session.pflow'


def apply_edit(text, edit):
    """`text` with one LSP TextEdit applied (positions in UTF-16 units)."""
    lines = text.split('\n')

    def offset(position):
        before = sum(len(line) + 1 for line in lines[:position['line']])
        units = lines[position['line']].encode('utf-16-le')[:2 * position['character']]
        return before + len(units.decode('utf-16-le'))

    return text[:offset(edit['range']['start'])] + edit['newText'] + text[offset(edit['range']['end']):]


def session(privflow, text):
    client = Client(privflow)
    reply = client.initialize()
    assert reply['result']['capabilities']['hoverProvider'] is True

    client.open(URI, text, 1)
    published = client.diagnostics(URI, 1)['params']['diagnostics']
    errors = [d for d in published if d['severity'] == 1]
    assert "did you mean 'pollster'" in errors[0]['message'], published

    actions = client.request('textDocument/codeAction', {
        'textDocument': {'uri': URI}, 'range': errors[0]['range'], 'context': {'diagnostics': [errors[0]]}})['result']
    assert len(actions) == 1, actions
    fixed = apply_edit(text, actions[0]['edit']['changes'][URI][0])
    assert 'send reply to pollster via' in fixed

    client.change(URI, fixed, 2)
    client.diagnostics(URI, 2)  # the front end's, at once
    assert client.analysed(URI, 2)['params']['exitCode'] == 1  # insider_budget is violated
    verdicts = client.diagnostics(URI, 2)['params']['diagnostics']
    assert [d['code'] for d in verdicts if 'code' in d] == ['holds', 'violated'], verdicts

    hover = client.request('textDocument/hover', client.at(URI, *position_of(fixed, 'compute reply', offset=8)))
    value = hover['result']['contents']['value']
    assert 'randomized_response' in value and 'against `press`' in value and 'against `insider`' in value, value
    # k-ary randomized response with keep 3/5 over 3 values: epsilon = ln((3/5) / (1/5)) = ln 3.
    assert f'against `insider`: epsilon {epsilon_text(math.log(3))} at delta 1e-6' in value, value
    hover = client.request('textDocument/hover', client.at(URI, *position_of(fixed, 'insider_budget')))
    assert '**violated**' in hover['result']['contents']['value'], hover

    line, character = position_of(fixed, 'keep: 3/5')
    completion = client.request('textDocument/completion', client.at(URI, line, character))
    labels = [item['label'] for item in completion['result']['items']]
    assert labels[:3] == ['epsilon', 'keep', 'times'] and 'answers' in labels, labels

    # `eu` after the title's four UTF-16 surrogate units: the column must count them.
    definition = client.request('textDocument/definition', client.at(URI, *position_of(fixed, 'region: eu', offset=8)))
    assert definition['result']['range']['start']['line'] == position_of(fixed, 'region eu')[0], definition
    references = client.request('textDocument/references', {
        **client.at(URI, *position_of(fixed, 'agent pollster', offset=6)), 'context': {'includeDeclaration': True}})
    assert len(references['result']) == 4, references
    symbols = client.request('textDocument/documentSymbol', {'textDocument': {'uri': URI}})
    assert [s['name'] for s in symbols['result']][:3] == ['survey', 'eu', 'answers'], symbols

    assert client.finish() == 0
    return client.transcript


def normalised(transcript):
    """The transcript without what differs between builds: the server's version."""
    for entry in transcript:
        result = entry.get('from server', {}).get('result')
        if isinstance(result, dict) and 'serverInfo' in result:
            result['serverInfo']['version'] = 'VERSION'
    return transcript


def main(privflow, source_dir):
    golden_path = os.path.join(source_dir, 'tests', 'lsp', 'session.golden.json')
    with open(os.path.join(source_dir, 'tests', 'lsp', 'session.pflow'), encoding='utf-8') as f:
        text = f.read()
    got = json.dumps(normalised(session(privflow, text)), indent=1, sort_keys=True, ensure_ascii=False) + '\n'
    if os.environ.get('PRIVFLOW_UPDATE_GOLDENS') == '1':
        with open(golden_path, 'w', encoding='utf-8') as f:
            f.write(got)
        print(f'updated {golden_path}')
        return 0
    with open(golden_path, encoding='utf-8') as f:
        want = f.read()
    if got != want:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), 'golden', 'got'))
        print('FAIL: the session differs from tests/lsp/session.golden.json '
              '(PRIVFLOW_UPDATE_GOLDENS=1 rewrites it after a change that is meant)')
        return 1
    print('session matches the golden transcript')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))

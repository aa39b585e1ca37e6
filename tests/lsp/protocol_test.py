"""`privflow lsp` against the protocol's rules and its own promises (issue #23, item 2):
JSON-RPC errors for bad input without a crash, requests before initialize and after shutdown,
the exit status of `exit`, a stale analysis never published or shown as current, bounded
messages, formatting through `privflow fmt`, completion, and every feature on a real spec.

    protocol_test.py PRIVFLOW SOURCE_DIR CASE
"""
import math
import os
import subprocess
import sys

from lsp_client import Client, epsilon_text, position_of

URI = 'file:///tests/protocol.pflow'

SPEC = '''pipeline p
settings { delta: 1e-6 }
data answers {
  rows: 1000
  neighbouring: replace
  field drug_use: {never, past, current}
}
agent respondent[1000] { trust: honest, holds: answers by partition }
agent pollster { trust: curious }
compute reply at respondent = randomized_response(answers.drug_use, keep: KEEP)
send reply to pollster via encrypted
adversary insider = {pollster}
require budget: dp(answers) against insider <= epsilon 1
'''


def error_code(reply):
    assert 'error' in reply, reply
    return reply['error']['code']


def case_bad_input(privflow, source_dir):
    client = Client(privflow)
    # Before initialize: requests are refused, the server lives on.
    assert error_code(client.request('textDocument/hover', client.at(URI, 0, 0))) == -32002
    client.initialize()
    client.send_raw(b'Content-Length: 9\r\n\r\n{"jsonrpc')  # not JSON
    assert client.receive(lambda m: m.get('error', {}).get('code') == -32700, 'parse error')['id'] is None
    client.send_raw(b'Content-Length: 7\r\n\r\n[1,2,3]')  # JSON, not a request
    assert client.receive(lambda m: m.get('error', {}).get('code') == -32600, 'invalid request')['id'] is None
    client.send_raw(b'Content-Type: x\r\n\r\n')  # no Content-Length
    assert 'Content-Length' in client.receive(lambda m: 'error' in m, 'header error')['error']['message']
    client.send_raw(b'Content-Length: 999999999999\r\n\r\n')  # too large: refused, not allocated
    assert client.receive(lambda m: 'error' in m, 'length error')['error']['code'] == -32700
    assert error_code(client.request('textDocument/frobnicate', {})) == -32601
    assert error_code(client.request('textDocument/hover', client.at('file:///not/open.pflow', 0, 0))) == -32602
    assert error_code(client.request('textDocument/hover', {'textDocument': {'uri': 5}})) == -32602
    client.open(URI, 'pipeline p\n', 1)
    assert error_code(client.request('textDocument/hover', {'textDocument': {'uri': URI}, 'position': {'line': -1}})) == -32602
    # Still serving.
    assert client.request('textDocument/documentSymbol', {'textDocument': {'uri': URI}})['result'][0]['name'] == 'p'
    assert client.request('shutdown')['result'] is None
    assert error_code(client.request('textDocument/documentSymbol', {'textDocument': {'uri': URI}})) == -32600
    assert client.finish(shutdown=False) == 0


def case_exit_status(privflow, source_dir):
    client = Client(privflow)
    client.initialize()
    assert client.finish(shutdown=False) == 1, 'exit without shutdown must give 1'
    client = Client(privflow)
    client.initialize()
    client.process.stdin.close()  # the end of input, no exit
    assert client.process.wait(timeout=60) == 1


def case_stale(privflow, source_dir):
    """Versions 1..4 in quick succession: what is published for a version never follows what was
    published for a later one, the last version is analysed, and a hover after a change never
    shows the previous version's ε (keep 3/5: ln 3 = 1.099; keep 1/2: ln 2 = 0.6931)."""
    client = Client(privflow)
    client.initialize()
    texts = {v: SPEC.replace('KEEP', keep) for v, keep in ((1, '3/5'), (2, '1/2'), (3, '3/5'), (4, '1/2'))}
    client.open(URI, texts[1], 1)
    for version in (2, 3, 4):
        client.change(URI, texts[version], version)
    hover_at = position_of(texts[4], 'compute reply', offset=8)
    hover = client.request('textDocument/hover', client.at(URI, *hover_at))['result']['contents']['value']
    # k-ary randomized response over 3 values: epsilon = ln(keep / ((1 - keep) / 2)).
    old, new = epsilon_text(math.log(3)), epsilon_text(math.log(2))
    assert (old, new) == ('1.099', '0.6932')
    assert old not in hover, 'a hover after the change showed the older version\'s epsilon: ' + hover
    assert 'running' in hover or new in hover, hover
    client.analysed(URI, 4)
    hover = client.request('textDocument/hover', client.at(URI, *hover_at))['result']['contents']['value']
    assert f'epsilon {new}' in hover and f'against `insider`: epsilon {new}' in hover, hover
    latest = 0
    for message in client.arrivals:
        params = message.get('params', {})
        if message.get('method') in ('textDocument/publishDiagnostics', 'privflow/analysed'):
            assert params['version'] >= latest, f'version {params["version"]} published after {latest}'
            latest = params['version']
    assert client.finish() == 0


def case_features(privflow, source_dir):
    client = Client(privflow)
    client.initialize()
    text = SPEC.replace('KEEP', '3/5')
    client.open(URI, text, 1)
    client.analysed(URI, 1)
    # Completion: statements at a line's start, kinds after `=`, fields after `D.`.
    labels = lambda reply: [item['label'] for item in reply['result']['items']]
    assert 'compute' in labels(client.request('textDocument/completion', client.at(URI, 1, 0)))
    kinds = labels(client.request('textDocument/completion',
                                  client.at(URI, *position_of(text, 'randomized_response('))))
    assert 'laplace' in kinds and 'dpsgd' in kinds and 'randomized_response' in kinds, kinds
    fields = labels(client.request('textDocument/completion', client.at(URI, *position_of(text, 'drug_use,'))))
    assert fields == ['drug_use'], fields
    # Hover on a mechanism and on one of its parameters: the catalogue's words.
    hover = client.request('textDocument/hover', client.at(URI, *position_of(text, 'randomized_response(')))
    assert 'ε-local DP' in hover['result']['contents']['value'], hover
    hover = client.request('textDocument/hover', client.at(URI, *position_of(text, 'keep:')))
    assert 'parameter `keep` of `randomized_response`' in hover['result']['contents']['value'], hover
    # A field's definition and references (scoped to its data).
    at = position_of(text, 'drug_use,')
    definition = client.request('textDocument/definition', client.at(URI, *at))['result']
    assert definition['range']['start'] == {'line': 5, 'character': 8}, definition
    refs = client.request('textDocument/references', {**client.at(URI, *at), 'context': {'includeDeclaration': False}})
    assert len(refs['result']) == 1, refs
    # Formatting: the edit gives exactly `privflow fmt`'s output.
    messy = text.replace('agent pollster { trust: curious }', 'agent   pollster {trust:curious}')
    client.change(URI, messy, 2)
    edits = client.request('textDocument/formatting', {'textDocument': {'uri': URI}, 'options': {}})['result']
    fmt = subprocess.run([privflow, 'fmt', '-'], input=messy.encode(), capture_output=True, check=True).stdout.decode()
    assert len(edits) == 1 and edits[0]['newText'] == fmt, edits
    client.change(URI, fmt, 3)
    assert client.request('textDocument/formatting', {'textDocument': {'uri': URI}, 'options': {}})['result'] == []
    # A lexical error: no formatting, and the message is located.
    client.change(URI, 'pipeline p\ndata d { rows: 10 } $\n', 4)
    published = client.diagnostics(URI, 4)['params']['diagnostics']
    assert published and published[0]['range']['start']['line'] == 1, published
    assert client.request('textDocument/formatting', {'textDocument': {'uri': URI}, 'options': {}})['result'] is None
    client.notify('textDocument/didClose', {'textDocument': {'uri': URI}})
    assert client.notification('textDocument/publishDiagnostics', lambda p: 'version' not in p and p['diagnostics'] == [])
    assert client.finish() == 0


def case_bounded(privflow, source_dir):
    """A spec with 300 warnings (honest agents named in a coalition, each a warning of the front
    end, which stops only after 200 errors): 200 diagnostics and one with the count of the rest."""
    client = Client(privflow)
    client.initialize()
    agents = ''.join(f'agent h{i} {{ trust: honest }}\n' for i in range(300))
    members = ', '.join(f'h{i}' for i in range(300))
    text = f'pipeline p\n{agents}adversary all = {{{members}}}\n'
    client.open(URI, text, 1)
    published = client.diagnostics(URI, 1)['params']['diagnostics']
    assert len(published) == 201, len(published)
    assert all('is honest but named in' in d['message'] for d in published[:200]), published[:3]
    assert published[200]['message'] == '100 more messages are not shown', published[200]
    assert client.finish() == 0


CASES = {name[len('case_'):]: f for name, f in globals().items() if name.startswith('case_')}

if __name__ == '__main__':
    privflow, source_dir, case = sys.argv[1:4]
    CASES[case](privflow, source_dir)
    print(f'{case}: ok')

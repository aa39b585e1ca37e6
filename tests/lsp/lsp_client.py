"""A small Language Server Protocol client for the tests of `privflow lsp` (tests/lsp).

It starts the real binary, speaks JSON-RPC 2.0 with Content-Length framing over its standard
input and output (LSP 3.17, "Base Protocol"), and keeps a transcript of every message both
ways: the transcript lists the messages in the order the test asked for them (for a golden,
which must not depend on how two threads of the server interleave). Standard library only.
"""
import json
import queue
import subprocess
import threading
import time


class Client:
    def __init__(self, privflow, *args, timeout=60):
        self.process = subprocess.Popen([privflow, 'lsp', *args], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.timeout = timeout
        self.incoming = queue.Queue()
        self.unread = []  # messages received but not yet asked for
        self.transcript = []
        self.arrivals = []  # every message from the server, in arrival order
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # ---- framing ----

    def _read(self):
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.incoming.put(None)
                    return
                line = line.rstrip(b'\r\n')
                if not line:
                    break
                name, _, value = line.partition(b':')
                if name.strip().lower() == b'content-length':
                    length = int(value.strip())
            body = stream.read(length)
            if len(body) != length:
                self.incoming.put(None)
                return
            message = json.loads(body.decode('utf-8'))
            self.arrivals.append(message)
            self.incoming.put(message)

    def send_raw(self, data):
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message, record=True):
        body = json.dumps(message).encode('utf-8')
        if record:
            self.transcript.append({'to server': message})
        self.send_raw(b'Content-Length: %d\r\n\r\n' % len(body) + body)

    def receive(self, predicate, what):
        """The first message (received or still to come) that `predicate` accepts."""
        for i, message in enumerate(self.unread):
            if predicate(message):
                self.transcript.append({'from server': message})
                return self.unread.pop(i)
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f'no {what} within {self.timeout} s; unread: {self.unread}')
            try:
                message = self.incoming.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError(f'the server closed its output while waiting for {what}')
            if predicate(message):
                self.transcript.append({'from server': message})
                return message
            self.unread.append(message)

    # ---- JSON-RPC ----

    def request(self, method, params=None):
        self.next_id += 1
        message = {'jsonrpc': '2.0', 'id': self.next_id, 'method': method}
        if params is not None:
            message['params'] = params
        self.send(message)
        request_id = self.next_id
        return self.receive(lambda m: m.get('id') == request_id and 'method' not in m, f'reply to {method}')

    def notify(self, method, params=None):
        message = {'jsonrpc': '2.0', 'method': method}
        if params is not None:
            message['params'] = params
        self.send(message)

    def notification(self, method, predicate=lambda params: True):
        return self.receive(lambda m: m.get('method') == method and 'id' not in m and predicate(m.get('params', {})),
                            f'notification {method}')

    def take_all(self):
        """Every message received so far, in order, without waiting."""
        while True:
            try:
                message = self.incoming.get_nowait()
            except queue.Empty:
                break
            if message is not None:
                self.unread.append(message)
        messages, self.unread = self.unread, []
        return messages

    # ---- LSP helpers ----

    def initialize(self):
        reply = self.request('initialize', {'processId': None, 'rootUri': None, 'capabilities': {}})
        self.notify('initialized', {})
        return reply

    def open(self, uri, text, version=1):
        self.notify('textDocument/didOpen',
                    {'textDocument': {'uri': uri, 'languageId': 'pflow', 'version': version, 'text': text}})

    def change(self, uri, text, version):
        self.notify('textDocument/didChange',
                    {'textDocument': {'uri': uri, 'version': version}, 'contentChanges': [{'text': text}]})

    def diagnostics(self, uri, version):
        return self.notification('textDocument/publishDiagnostics',
                                 lambda p: p.get('uri') == uri and p.get('version') == version)

    def analysed(self, uri, version):
        return self.notification('privflow/analysed', lambda p: p.get('uri') == uri and p.get('version') == version)

    def at(self, uri, line, character):
        return {'textDocument': {'uri': uri}, 'position': {'line': line, 'character': character}}

    def finish(self, shutdown=True):
        """shutdown (optional) and exit; the server's exit status."""
        if shutdown:
            assert self.request('shutdown')['result'] is None
        self.notify('exit')
        self.process.stdin.close()
        return self.process.wait(timeout=self.timeout)


def position_of(text, needle, occurrence=1, offset=0):
    """The LSP position (line, UTF-16 column) of the `occurrence`-th `needle` in `text`."""
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    at += offset
    line = text.count('\n', 0, at)
    start = text.rfind('\n', 0, at) + 1
    return line, len(text[start:at].encode('utf-16-le')) // 2


def epsilon_text(value):
    """An epsilon as privflow prints it: 4 significant digits, rounded up (analyzer/wording.hpp)."""
    import decimal
    exponent = decimal.Decimal(value).adjusted()
    step = decimal.Decimal(1).scaleb(exponent - 3)
    return str(decimal.Decimal(value).quantize(step, rounding=decimal.ROUND_CEILING))

// The privflow extension: starts `privflow lsp` (the language server, docs/privflow.1) for
// .pflow files through vscode-languageclient. Plain JavaScript: nothing to compile.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function serverArguments(config) {
  const args = ['lsp', '--timeout', String(config.get('timeout', 30))];
  const accountant = config.get('accountant', '');
  if (accountant) args.push('--accountant', accountant);
  return args;
}

function activate(context) {
  const config = vscode.workspace.getConfiguration('privflow');
  // TransportKind.stdio adds --stdio, which `privflow lsp` accepts.
  const serverOptions = {
    command: config.get('path', 'privflow'),
    args: serverArguments(config),
    transport: TransportKind.stdio,
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'privflow' },
      { scheme: 'untitled', language: 'privflow' },
    ],
  };
  client = new LanguageClient('privflow', 'privflow language server', serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

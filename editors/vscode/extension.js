// The cjdsl extension: a thin client that starts `cjdsl lsp` over stdio for .journey
// files. Everything a user sees besides colours (diagnostics, completion, hover,
// definitions, rename, formatting, ...) comes from the language server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, RevealOutputChannelOn } = require('vscode-languageclient/node');
const { expand, findProgram, notFoundMessage, serverCommand } = require('./command');

let client = null;
let output = null;
let watchers = [];

function workspaceFolder() {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length ? folders[0].uri.fsPath : undefined;
}

async function start() {
  const setting = vscode.workspace.getConfiguration('cjdsl').get('path', 'cjdsl');
  const expanded = expand(setting, workspaceFolder());
  const program = findProgram(expanded);
  if (program === null) {
    output.appendLine(notFoundMessage(setting, expanded));
    const choice = await vscode.window.showErrorMessage(notFoundMessage(setting, expanded), 'Open Settings');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'cjdsl.path');
    }
    return;
  }
  const executable = { ...serverCommand(program), options: { cwd: workspaceFolder() } };
  client = new LanguageClient(
    'cjdsl', // the id: VS Code reads the `cjdsl.trace.server` setting by it
    'cjdsl language server',
    { run: executable, debug: executable },
    {
      documentSelector: [
        { scheme: 'file', language: 'journey' },
        { scheme: 'untitled', language: 'journey' },
      ],
      synchronize: { fileEvents: watchers },
      outputChannel: output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
    },
  );
  try {
    await client.start();
  } catch (err) {
    const message = err && err.message ? err.message : String(err);
    output.appendLine(`cjdsl: the language server (${program} lsp) did not start: ${message}`);
    vscode.window.showErrorMessage(
      `cjdsl: the language server (${program} lsp) did not start: ${message}. ` +
        'Check that this cjdsl has the `lsp` command (cjdsl --help); the output channel "cjdsl" has the details.',
    );
    client = null;
  }
}

async function stop() {
  if (client !== null) {
    const running = client;
    client = null;
    await running.stop();
  }
}

async function activate(context) {
  output = vscode.window.createOutputChannel('cjdsl');
  // Changes to files that are not open (an included file, the settings) reach the server too.
  watchers = [
    vscode.workspace.createFileSystemWatcher('**/*.journey'),
    vscode.workspace.createFileSystemWatcher('**/{cjdsl.toml,pyproject.toml}'),
  ];
  context.subscriptions.push(
    output,
    ...watchers,
    vscode.commands.registerCommand('cjdsl.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.commands.registerCommand('cjdsl.showOutput', () => output.show()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('cjdsl.path')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };

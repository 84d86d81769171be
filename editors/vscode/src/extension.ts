// treido for VS Code: starts treido-ls (found by ./discovery) as a language client for TypeScript,
// JavaScript, SQL and treido.json files, and adds Restart Server, Show Output and Fix All.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { Discovery, discoverServer, INSTALL_COMMAND } from './discovery';

const CLIENT_ID = 'treido'; // also the settings prefix: languageclient reads treido.trace.server
const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'sql'];
const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('treido');
/** Settings whose change needs a new server process (the rest reach the running server). */
const RESTART_SETTINGS = ['treido.enable', 'treido.path', 'treido.interpreter', 'treido.configPath'];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let queue: Promise<void> = Promise.resolve();

export interface TreidoApi {
  /** The running client, for tests and other extensions. */
  readonly client: LanguageClient | undefined;
  restart(): Promise<void>;
}

export async function activate(context: vscode.ExtensionContext): Promise<TreidoApi> {
  output = vscode.window.createOutputChannel('treido');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('treido.restartServer', () => restart()),
    vscode.commands.registerCommand('treido.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('treido.fixAll', () => fixAll()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        void restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => restart()),
    { dispose: () => void stop() },
  );
  await restart();
  return {
    get client() {
      return client;
    },
    restart,
  };
}

export function deactivate(): Promise<void> {
  return stop();
}

/** Stop and start again; serialized so that quick setting changes cannot start two servers. */
function restart(): Promise<void> {
  queue = queue.then(async () => {
    await stop();
    await start();
  });
  return queue;
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output.appendLine(`stopping treido-ls: ${String(error)}`);
    }
  }
}

function settings(folder: vscode.WorkspaceFolder | undefined) {
  const config = vscode.workspace.getConfiguration('treido', folder);
  return {
    enable: config.get<boolean>('enable', true),
    run: config.get<string>('run', 'onType'),
    logLevel: config.get<string>('logLevel', 'warning'),
    configPath: config.get<string>('configPath', ''),
    lintBudgetMs: config.get<number>('lintBudgetMs', 1000),
    baselineMode: config.get<string>('baselineMode', 'hide'),
  };
}

async function start(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const initial = settings(folder);
  if (!initial.enable) {
    output.appendLine('treido.enable is false: treido-ls is not running.');
    return;
  }
  if (!vscode.workspace.isTrusted) {
    output.appendLine('Untrusted workspace: workspace values of treido.path and treido.interpreter are ignored.');
  }
  const { server, tried, badPath } = await discoverServer(folder);
  tried.forEach((line) => output.appendLine(line));
  if (!server) {
    void reportMissingServer(badPath);
    return;
  }
  const serverOptions: ServerOptions = {
    command: server.command,
    args: server.args,
    transport: TransportKind.stdio, // languageclient appends --stdio, which treido-ls accepts
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      ...LANGUAGES.map((language) => ({ scheme: 'file', language })),
      { scheme: 'file', pattern: '**/treido.json' },
      { scheme: 'file', pattern: '**/treido.jsonc' },
    ],
    initializationOptions: initial,
    synchronize: { configurationSection: 'treido' },
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
  const next = new LanguageClient(CLIENT_ID, 'treido', serverOptions, clientOptions);
  try {
    await next.start();
    client = next;
    output.appendLine(`treido-ls started (${server.source}).`);
  } catch (error) {
    output.appendLine(`treido-ls failed to start: ${String(error)}`);
    const choice = await vscode.window.showErrorMessage(
      `treido-ls (${server.source}) failed to start. See the treido output for details.`, 'Show Output');
    if (choice) {
      output.show(true);
    }
  }
}

/** One message, with the install command (or what is wrong with treido.path), never a stack trace. */
async function reportMissingServer(badPath: Discovery['badPath']): Promise<void> {
  const message = badPath
    ? `"treido.path" is set to ${badPath.path}, which could not be run (${badPath.error}). ` +
      `Fix or clear the setting; to install treido-ls: \`${INSTALL_COMMAND}\`.`
    : `treido-ls was not found. Install it with \`${INSTALL_COMMAND}\` in the Python environment you use, ` +
      'or set "treido.path" to the treido-ls executable.';
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'treido.');
  } else if (choice === 'Show Output') {
    output.show(true);
  }
}

/** Applies the server's `source.fixAll.treido` action (safe fixes only) to the active file. */
async function fixAll(): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || !client) {
    void vscode.window.showInformationMessage('treido: open a file that treido-ls checks first.');
    return;
  }
  const whole = new vscode.Range(0, 0, document.lineCount, 0);
  const actions = await codeActions(document.uri, whole);
  const action = actions.find((candidate) => candidate.kind && FIX_ALL_KIND.contains(candidate.kind));
  if (!action || (!action.edit && !action.command)) {
    void vscode.window.showInformationMessage('treido: no safe fixes in this file.');
    return;
  }
  if (action.edit) {
    await vscode.workspace.applyEdit(action.edit);
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}

async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  // The provider call is cancelled when the document changes meanwhile: try again a few times.
  for (let attempt = 0; ; attempt++) {
    try {
      return (await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider', uri, range, FIX_ALL_KIND.value, 1)) ?? [];
    } catch (error) {
      if (attempt >= 2 || !String(error).includes('Canceled')) {
        throw error;
      }
    }
  }
}

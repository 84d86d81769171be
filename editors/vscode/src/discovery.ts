// Finds a runnable treido-ls: the `treido.path` setting, else a Python interpreter (the
// `treido.interpreter` setting or the Python extension's selection) running `-m treido_ls`, else
// `treido-ls` on PATH. treido-ls has compiled dependencies (tree-sitter), so it cannot be bundled
// into the extension: it must be installed, and we say how when it is not.
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const INSTALL_COMMAND = 'pip install treido-ls';
const PROBE_TIMEOUT_MS = 15000;

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where it came from, for the output channel. */
  source: string;
}

export interface Discovery {
  server?: ServerCommand;
  /** Every attempt and why it failed, for the output channel. */
  tried: string[];
  /** The `treido.path` that was set but could not be run (then nothing else is tried). */
  badPath?: { path: string; error: string };
}

/** Settings that name executables: from user settings only when the workspace is not trusted. */
function executableSetting(key: 'path' | 'interpreter', folder: vscode.WorkspaceFolder | undefined): string {
  const config = vscode.workspace.getConfiguration('treido', folder);
  const value = vscode.workspace.isTrusted ? config.get<string>(key) : config.inspect<string>(key)?.globalValue;
  return expandPath((value ?? '').trim(), folder);
}

function expandPath(value: string, folder: vscode.WorkspaceFolder | undefined): string {
  if (!value) {
    return value;
  }
  let expanded = value.replace(/^~(?=$|[\\/])/, os.homedir());
  if (folder) {
    expanded = expanded.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
  }
  if (!path.isAbsolute(expanded) && /[\\/]/.test(expanded) && folder) {
    expanded = path.join(folder.uri.fsPath, expanded);
  }
  return expanded;
}

/** Runs `command args --version`; resolves to the version line or rejects with why not. */
function probe(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args, '--version'], { timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const detail = (stderr || error.message).toString().trim().split('\n').pop();
        reject(new Error(detail || 'failed'));
      } else {
        resolve(stdout.toString().trim());
      }
    });
  });
}

interface PythonEnvironmentsApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
  };
}

/** The interpreter selected in the Python extension, if it is installed (and the workspace trusted). */
async function pythonExtensionInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    return undefined; // the selection may come from the workspace's own settings
  }
  const extension = vscode.extensions.getExtension<PythonEnvironmentsApi>('ms-python.python');
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const environments = api?.environments;
    if (environments) {
      const active = environments.getActiveEnvironmentPath(folder?.uri);
      const resolved = active ? await environments.resolveEnvironment(active) : undefined;
      const executable = resolved?.executable.uri?.fsPath;
      if (executable) {
        return executable;
      }
    }
    return api?.settings?.getExecutionDetails(folder?.uri).execCommand?.[0];
  } catch {
    return undefined;
  }
}

export async function discoverServer(folder: vscode.WorkspaceFolder | undefined): Promise<Discovery> {
  const tried: string[] = [];
  let lastError = '';
  const attempt = async (source: string, command: string, args: string[]): Promise<ServerCommand | undefined> => {
    try {
      const version = await probe(command, args);
      tried.push(`${source}: ${[command, ...args].join(' ')} -> ${version}`);
      return { command, args, source };
    } catch (error) {
      lastError = (error as Error).message;
      tried.push(`${source}: ${[command, ...args].join(' ')} failed: ${lastError}`);
      return undefined;
    }
  };

  const configured = executableSetting('path', folder);
  if (configured) {
    // An explicit path is the user's choice: use it or report it, never silently fall back.
    const server = await attempt('treido.path', configured, []);
    return server ? { server, tried } : { tried, badPath: { path: configured, error: lastError } };
  }
  const interpreter = executableSetting('interpreter', folder) || (await pythonExtensionInterpreter(folder));
  if (interpreter) {
    const server = await attempt('Python interpreter', interpreter, ['-m', 'treido_ls']);
    if (server) {
      return { server, tried };
    }
  }
  return { server: await attempt('PATH', 'treido-ls', []), tried };
}

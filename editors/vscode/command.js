// Where the `cjdsl` program is: the `cjdsl.path` setting, expanded and looked up on PATH.
// No VS Code API here, so tests run it with plain Node.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

/** The setting with `${workspaceFolder}`, `${userHome}` and a leading `~` expanded. */
function expand(setting, workspaceFolder, home) {
  let value = String(setting || '').trim() || 'cjdsl';
  const homeDir = home || os.homedir();
  if (value === '~' || value.startsWith('~/') || value.startsWith('~\\')) {
    value = homeDir + value.slice(1);
  }
  value = value.split('${userHome}').join(homeDir);
  if (workspaceFolder) {
    value = value.split('${workspaceFolder}').join(workspaceFolder);
  }
  return value;
}

function isProgram(file, platform) {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (platform === 'win32') {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The program a setting names, as a full path, or null when there is none: a path (it
 * holds a separator) must be a program; a bare name is looked up in PATH's folders, as
 * the shell would (on Windows with PATHEXT's extensions).
 */
function findProgram(command, env, platform) {
  const environment = env || process.env;
  const system = platform || process.platform;
  const extensions =
    system === 'win32' ? ['', ...(environment.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const hasSeparator = command.includes('/') || (system === 'win32' && command.includes('\\'));
  if (hasSeparator) {
    const full = path.resolve(command);
    return extensions.map((ext) => full + ext).find((file) => isProgram(file, system)) || null;
  }
  const pathVariable = environment.PATH || environment.Path || '';
  const delimiter = system === 'win32' ? ';' : ':';
  for (const folder of pathVariable.split(delimiter)) {
    if (!folder) {
      continue;
    }
    for (const ext of extensions) {
      const file = path.join(folder, command + ext);
      if (isProgram(file, system)) {
        return file;
      }
    }
  }
  return null;
}

/** The message shown when the program is missing, with what to do about it. */
function notFoundMessage(setting, expanded) {
  const shown = expanded === setting ? `\`${setting}\`` : `\`${setting}\` (${expanded})`;
  return (
    `cjdsl: the language server could not start: the program ${shown} was not found. ` +
    "Install cjdsl with its language server (python -m pip install 'cjdsl[lsp]') in an environment on your PATH, " +
    'or set "cjdsl.path" to the full path of the cjdsl program, such as .venv/bin/cjdsl.'
  );
}

/** How to start the server: the program and its arguments (stdio is the default transport). */
function serverCommand(program) {
  return { command: program, args: ['lsp'] };
}

module.exports = { expand, findProgram, notFoundMessage, serverCommand };

// Starts `liaison sandbox` on a free port for the Node test suites; resolves with the child
// process and the base URL from its banner.
import { spawn } from 'node:child_process';

export function startSandbox(binary, extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['sandbox', '--listen', '127.0.0.1:0', '--profile', 'fast', '--log-level', 'warn',
                                 ...extraArgs],
                        { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const match = buffered.match(/listening on (http:\/\/\S+)/);
      if (match) resolve({ child, base: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
}

// Starts `liaison sandbox` on a free port for the Node test suites; resolves with the child
// process and the base URL from its banner. A sandbox that prints no banner within the deadline
// is killed and the promise rejects, so a suite fails instead of hanging. Callers stop it with
// stopSandbox in a `finally`, on every path.
import { spawn } from 'node:child_process';

export function startSandbox(binary, extraArgs = [], { deadlineMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['sandbox', '--listen', '127.0.0.1:0', '--profile', 'fast', '--log-level', 'warn',
                                 ...extraArgs],
                        { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    let settled = false;
    const settle = (fn, value) => { if (!settled) { settled = true; clearTimeout(timer); fn(value); } };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(reject, new Error(`the sandbox printed no banner within ${deadlineMs} ms`));
    }, deadlineMs);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const match = buffered.match(/listening on (http:\/\/\S+)/);
      if (match) settle(resolve, { child, base: match[1] });
    });
    child.on('error', (error) => settle(reject, error));
    child.on('exit', (code, signal) => settle(reject, new Error(`sandbox exited with ${code ?? signal}`)));
  });
}

// SIGTERM, then SIGKILL if the sandbox has not exited within the deadline; resolves once it is gone.
export function stopSandbox(child, { deadlineMs = 10000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}

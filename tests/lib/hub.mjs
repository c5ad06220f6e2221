// Starts `liaison up` (the hub beside an in-process sandbox) on free ports with a fresh data
// directory, for the Node test suites. Resolves once the banner is complete with the hub's and the
// sandbox's base URLs and the hub API key it shows once. A hub that prints no full banner within the
// deadline is killed and the promise rejects. Callers stop it with stopHub in a `finally`, on every
// path: that also removes the data directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopSandbox } from './sandbox.mjs';

export function startHub(binary, { deadlineMs = 45000 } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'liaison-hub-'));
  const child = spawn(binary, ['up', '--listen', '127.0.0.1:0', '--hub-listen', '127.0.0.1:0', '--data', dataDir,
                               '--log-level', 'warn'],
                      { stdio: ['ignore', 'pipe', 'inherit'] });
  // Last resort if the test process ends without reaching its `finally` (an uncaught error).
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);
  const hub = { child, dataDir, killOnExit };
  return new Promise((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const settle = (fn, value) => { if (!settled) { settled = true; clearTimeout(timer); fn(value); } };
    let failing = false;
    const fail = (error) => {
      if (settled || failing) return;
      failing = true;
      stopHub(hub).finally(() => settle(reject, error));
    };
    const timer = setTimeout(() => fail(new Error(`liaison up printed no banner within ${deadlineMs} ms`)), deadlineMs);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      if (failing || !/Press Ctrl\+C to stop/.test(buffered)) return;
      const hubUrl = buffered.match(/Hub:\s+(http:\/\/\S+)/);
      const sandboxUrl = buffered.match(/Sandbox:\s+(http:\/\/\S+)/);
      const key = buffered.match(/(lsk_[A-Za-z0-9_-]+)/);
      if (!hubUrl || !sandboxUrl || !key) {
        fail(new Error(`the banner of liaison up lacks a URL or the key:\n${buffered}`));
        return;
      }
      settle(resolve, { ...hub, base: hubUrl[1], sandbox: sandboxUrl[1], key: key[1] });
    });
    child.on('error', (error) => fail(error));
    child.on('exit', (code, signal) => fail(new Error(`liaison up exited with ${code ?? signal}`)));
  });
}

// SIGTERM, then SIGKILL after the deadline; resolves once the process is gone and its data removed.
export async function stopHub(hub) {
  if (!hub) return;
  if (hub.child.pid !== undefined) await stopSandbox(hub.child, { deadlineMs: 5000 });  // undefined: never started
  process.off('exit', hub.killOnExit);
  rmSync(hub.dataDir, { recursive: true, force: true });
}

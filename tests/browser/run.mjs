// Browser tests: a person's steps through the sandbox's pages in Debian's chromium, driven by
// playwright-core (no browser download). Usage: node run.mjs <device|pkce|deny> (LIAISON_BIN set).
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { startSandbox, stopSandbox } from '../lib/sandbox.mjs';
import { launchBrowser, logIn } from './chromium.mjs';

const scenario = process.argv[2];
const binary = process.env.LIAISON_BIN;
assert.ok(binary, 'LIAISON_BIN must point at the liaison binary');

async function form(url, fields) {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields),
                                      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  return { status: response.status, body: await response.json() };
}

async function deviceScenario(base, page) {
  const start = await form(`${base}/oauth2/default/v1/device/authorize`,
                           { client_id: 'sandbox-public', scope: 'account_read contact_data offline_access' });
  assert.equal(start.status, 200);
  const { device_code, user_code, verification_uri_complete } = start.body;
  await page.goto(verification_uri_complete);
  assert.equal(await page.getByLabel('Code').inputValue(), user_code, 'code is pre-filled');
  await page.getByRole('button', { name: 'Next' }).click();
  await logIn(page, 'owner@sandbox.test');
  const consent = await page.textContent('main');
  assert.match(consent, /Sandbox Public App/);
  assert.match(consent, /contact_data/);
  assert.match(consent, /account_read/);
  await page.getByRole('button', { name: 'Allow Access' }).click();
  assert.match(await page.textContent('#message'), /Follow the instructions on your device/);

  const tokens = await form(`${base}/oauth2/default/v1/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: 'sandbox-public', device_code });
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  const summary = await fetch(`${base}/v3/account/summary`,
                              { headers: { Authorization: `Bearer ${tokens.body.access_token}` } });
  assert.equal(summary.status, 200);
  assert.equal((await summary.json()).organization_name, 'Sandbox Bakery');
}

// A loopback "native app" that receives the redirect, as RFC 8252 describes.
function startCallbackServer() {
  return new Promise((resolve) => {
    let received;
    const server = createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (url.pathname === '/callback') received = url;  // ignore /favicon.ico and the like
      res.setHeader('Content-Type', 'text/html');
      res.end('<p id="done">You can close this window.</p>');
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, received: () => received }));
  });
}

async function pkceScenario(base, page, decision) {
  const callback = await startCallbackServer();
  const redirectUri = `http://127.0.0.1:${callback.port}/callback`;
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(`${base}/oauth2/default/v1/authorize`);
  authorize.search = new URLSearchParams({ client_id: 'sandbox-public', redirect_uri: redirectUri, response_type: 'code',
    scope: 'account_read offline_access', state, code_challenge: challenge, code_challenge_method: 'S256' });
  let landed;
  try {
    await page.goto(authorize.toString());
    await logIn(page, 'owner@sandbox.test');
    await page.getByRole('button', { name: decision === 'allow' ? 'Allow Access' : 'Deny' }).click();
    await page.waitForSelector('#done');
    landed = callback.received();
  } finally {
    callback.server.close();
  }
  assert.ok(landed, 'the browser never reached the callback');
  assert.equal(landed.pathname, '/callback');
  assert.equal(landed.searchParams.get('state'), state);
  if (decision !== 'allow') {
    assert.equal(landed.searchParams.get('error'), 'access_denied');
    assert.equal(landed.searchParams.get('code'), null);
    return;
  }
  const tokens = await form(`${base}/oauth2/default/v1/token`, { grant_type: 'authorization_code',
    client_id: 'sandbox-public', code: landed.searchParams.get('code'), redirect_uri: redirectUri, code_verifier: verifier });
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  assert.ok(tokens.body.refresh_token);
  const privileges = await fetch(`${base}/v3/account/user/privileges`,
                                 { headers: { Authorization: `Bearer ${tokens.body.access_token}` } });
  assert.equal(privileges.status, 200);
}

// Everything started is stopped on every path: the browser closed, the sandbox killed.
let sandbox;
let browser;
let failed = false;
try {
  sandbox = await startSandbox(binary);
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  page.setDefaultTimeout(15000);
  if (scenario === 'device') await deviceScenario(sandbox.base, page);
  else if (scenario === 'pkce') await pkceScenario(sandbox.base, page, 'allow');
  else if (scenario === 'deny') await pkceScenario(sandbox.base, page, 'deny');
  else throw new Error(`unknown scenario ${scenario}`);
  console.log(`browser scenario ${scenario}: passed`);
} catch (error) {
  failed = true;
  console.error(`browser scenario ${scenario}: FAILED\n`, error);
} finally {
  await browser?.cleanup().catch((error) => console.error('closing the browser:', error));
  await stopSandbox(sandbox?.child);
}
process.exit(failed ? 1 : 0);

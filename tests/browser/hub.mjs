// Browser tests of the hub's connect page: a person connects a second sandbox account to the hub
// started by `liaison up`, through the redirect flow (Continue, sign in, Allow, back to the app) or
// the device flow (open CC with the code, sign in, Allow, the page shows the outcome), and is told
// "Not connected" after a denial. Usage: node hub.mjs <hub-redirect|hub-device> (LIAISON_BIN set).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startHub, stopHub } from '../lib/hub.mjs';
import { launchBrowser, logIn } from './chromium.mjs';

const scenario = process.argv[2];
const binary = process.env.LIAISON_BIN;
assert.ok(binary, 'LIAISON_BIN must point at the liaison binary');
// Below CTest's TIMEOUT for these tests, so that a hung step still ends in the cleanup below.
const kDeadlineMs = 120000;
// The hub polls CC for a device session every `interval` (5 s) and ticks once a second.
const kDeviceOutcomeMs = 40000;
const kEmail = 'second@sandbox.test';
const kOrganization = 'Second Shop';
// What the connect page must say each scope lets the app do (its first line per scope).
const kScopeSummaries = {
  account_read: /See your account details/,
  contact_data: /See, add, change and delete your contacts/,
  campaign_data: /email campaigns/,
  offline_access: /Keep access when you are not using the app/,
};

async function call(method, url, { key, body } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return { status: response.status, body: parsed };
}

const hubApi = (hub, method, path, body) => call(method, `${hub.base}/api/v1${path}`, { key: hub.key, body });

// The account to connect, beside the demo account that `liaison up` connected already.
async function addSecondAccount(hub) {
  const account = await call('POST', `${hub.sandbox}/__sandbox/accounts`, { body: { organization_name: kOrganization } });
  assert.equal(account.status, 201, JSON.stringify(account.body));
  const user = await call('POST', `${hub.sandbox}/__sandbox/users`, { body: {
    account_id: account.body.encoded_account_id, email: kEmail, password: 'sandbox', role: 'Account Owner' } });
  assert.equal(user.status, 201, JSON.stringify(user.body));
}

async function createSession(hub, fields) {
  const created = await hubApi(hub, 'POST', '/connect-sessions', fields);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.match(created.body.connect_url, new RegExp(`^${hub.base}/connect/${created.body.id}$`));
  return created.body;
}

// The session connected a "Second Shop" connection for its end user: checked through the REST API.
async function assertConnected(hub, session, connectionId) {
  const read = await hubApi(hub, 'GET', `/connect-sessions/${session.id}`);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  assert.equal(read.body.status, 'connected');
  assert.equal(read.body.connection_id, connectionId);
  const connection = await hubApi(hub, 'GET', `/connections/${connectionId}`);
  assert.equal(connection.status, 200, JSON.stringify(connection.body));
  assert.equal(connection.body.account.organization_name, kOrganization);
  assert.equal(connection.body.status, 'active');
  assert.equal(connection.body.end_user_id, session.end_user_id);
  assert.deepEqual(connection.body.scopes, session.scopes);
}

// The connect page names the app, says what each scope allows and what it does not, cannot be
// framed, leaks no Referer and loads nothing from elsewhere.
async function assertConnectPage(page, response, session) {
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  assert.match(headers['content-security-policy'], /default-src 'none'/);
  // `liaison up` names its app (cc.app_name) rather than showing the client id.
  assert.equal(await page.textContent('h1'), 'Connect Constant Contact to Liaison demo app');
  const items = await page.locator('ul > li').all();
  assert.equal(items.length, session.scopes.length, 'one line per requested scope');
  for (const [index, scope] of session.scopes.entries()) {
    assert.ok(kScopeSummaries[scope], `no expected summary for the scope ${scope}`);
    assert.match(await items[index].locator('strong').textContent(), kScopeSummaries[scope]);
    assert.ok((await items[index].locator('.muted').textContent()).length > 10, `what ${scope} does not allow`);
  }
}

// Stands for the app's page that the hub sends the browser back to; records what it received.
function startReturnServer() {
  return new Promise((resolve) => {
    let received;
    const server = createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (url.pathname === '/back') received = url;  // ignore /favicon.ico and the like
      res.setHeader('Content-Type', 'text/html');
      res.end('<p id="done">Back in the app.</p>');
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, received: () => received }));
  });
}

async function redirectScenario(hub, page) {
  const app = await startReturnServer();
  try {
    const session = await createSession(hub, { end_user_id: 'second-shop', flow: 'redirect',
                                               return_url: `http://127.0.0.1:${app.port}/back?from=app` });
    await assertConnectPage(page, await page.goto(session.connect_url), session);
    await page.getByRole('link', { name: 'Continue to Constant Contact' }).click();
    await page.getByLabel('Email').waitFor();
    assert.ok(page.url().startsWith(`${hub.sandbox}/`), `sign-in happens at CC, not at ${page.url()}`);
    await logIn(page, kEmail);
    assert.match(await page.textContent('main'), new RegExp(kEmail.replace('.', '\\.')));
    await page.getByRole('button', { name: 'Allow Access' }).click();
    await page.waitForSelector('#done');

    const landed = app.received();
    assert.ok(landed, 'the browser never came back to the app');
    assert.equal(new URL(page.url()).pathname, '/back');
    assert.equal(landed.searchParams.get('from'), 'app', 'the return_url keeps its own query');
    assert.equal(landed.searchParams.get('status'), 'connected');
    const connectionId = landed.searchParams.get('connection_id');
    assert.match(connectionId ?? '', /^conn_/);
    await assertConnected(hub, session, connectionId);

    // The link is spent: it says the account is connected instead of offering Continue again.
    await page.goto(session.connect_url);
    assert.match(await page.textContent('#outcome'), /account is connected/);
    assert.equal(await page.locator('#continue').count(), 0);
  } finally {
    app.server.close();
  }

  // Without a return_url, a denial ends on the hub's own page.
  const denied = await createSession(hub, { end_user_id: 'second-shop-denied', flow: 'redirect' });
  await page.goto(denied.connect_url);
  await page.getByRole('link', { name: 'Continue to Constant Contact' }).click();
  await logIn(page, kEmail);
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL((url) => url.pathname === '/connect/callback');
  assert.equal(await page.textContent('h1'), 'Not connected');
  assert.match(await page.textContent('body'), /Access was not granted/);
  const read = await hubApi(hub, 'GET', `/connect-sessions/${denied.id}`);
  assert.equal(read.body.status, 'denied');
  assert.equal(read.body.connection_id, undefined);
}

// Clicks "Open Constant Contact" and, in the tab it opens, confirms the code, signs in and answers.
async function answerInPopup(context, page, userCode, decision) {
  const opened = context.waitForEvent('page');
  await page.getByRole('link', { name: 'Open Constant Contact' }).click();
  const popup = await opened;
  try {
    popup.setDefaultTimeout(15000);
    await popup.getByLabel('Code').waitFor();
    assert.equal(await popup.getByLabel('Code').inputValue(), userCode, 'the code is pre-filled');
    await popup.getByRole('button', { name: 'Next' }).click();
    await logIn(popup, kEmail);
    await popup.getByRole('button', { name: decision }).click();
    await popup.waitForSelector('#message');
  } finally {
    await popup.close();
  }
}

// Polls `read` from here until `done` holds for its value. (page.waitForFunction would evaluate a
// string in the page, which the connect page's CSP rightly refuses.)
async function waitFor(read, done, timeoutMs, what) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Waits until the page's script has replaced "Waiting for approval…" with the outcome.
const outcomeOf = (page) => waitFor(() => page.textContent('#outcome'), (text) => !/^Waiting/.test(text),
                                    kDeviceOutcomeMs, 'the outcome on the connect page');

async function deviceScenario(hub, page, context) {
  const session = await createSession(hub, { end_user_id: 'second-shop', flow: 'device' });
  await assertConnectPage(page, await page.goto(session.connect_url), session);
  const userCode = await page.textContent('#user-code');
  assert.equal(userCode, session.user_code);
  assert.equal(await page.getAttribute('#activate', 'href'), session.verification_uri_complete);
  assert.ok(session.verification_uri_complete.startsWith(`${hub.sandbox}/`));
  const firstCountdown = Number(await page.textContent('#countdown'));
  assert.ok(firstCountdown > 0 && firstCountdown <= 600, `countdown ${firstCountdown}`);
  assert.equal(await page.textContent('#outcome'), 'Waiting for approval…');
  await waitFor(async () => Number(await page.textContent('#countdown')), (left) => left < firstCountdown, 5000,
                'the countdown');

  await answerInPopup(context, page, userCode, 'Allow Access');
  assert.equal(await outcomeOf(page), `Connected: ${kOrganization}`);
  // The spent code, its link and the countdown are gone once the outcome is known.
  assert.equal(await page.locator('#user-code, #activate, #countdown').count(), 0);
  const read = await hubApi(hub, 'GET', `/connect-sessions/${session.id}`);
  await assertConnected(hub, session, read.body.connection_id);

  // A denial in the other tab turns into "Not connected" on this one.
  const denied = await createSession(hub, { end_user_id: 'second-shop-denied', flow: 'device' });
  await page.goto(denied.connect_url);
  await answerInPopup(context, page, denied.user_code, 'Deny');
  assert.match(await outcomeOf(page), /^Not connected: .*denied access/);
  assert.equal(await page.locator('#activate').count(), 0);
  const readDenied = await hubApi(hub, 'GET', `/connect-sessions/${denied.id}`);
  assert.equal(readDenied.body.status, 'denied');
}

function deadline(ms) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`scenario ${scenario} did not finish within ${ms} ms`)), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

// Everything started is stopped on every path: the browser closed, liaison up killed, its data removed.
let hub;
let browser;
let failed = false;
const started = Date.now();
const watchdog = deadline(kDeadlineMs);
try {
  await Promise.race([watchdog.promise, (async () => {
    hub = await startHub(binary);
    await addSecondAccount(hub);
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15000);
    if (scenario === 'hub-redirect') await redirectScenario(hub, page);
    else if (scenario === 'hub-device') await deviceScenario(hub, page, browser.context);
    else throw new Error(`unknown scenario ${scenario}`);
  })()]);
  console.log(`browser scenario ${scenario}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  failed = true;
  console.error(`browser scenario ${scenario}: FAILED\n`, error);
} finally {
  watchdog.clear();
  await browser?.cleanup().catch((error) => console.error('closing the browser:', error));
  await stopHub(hub);
}
process.exit(failed ? 1 : 0);

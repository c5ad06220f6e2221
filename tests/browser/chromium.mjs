// What every browser scenario shares: Debian's chromium started headless through playwright-core
// (no browser download), and a person's login at the sandbox's sign-in page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// A fresh profile per run; cleanup closes the browser and removes the profile.
export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'liaison-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      timeout: 30000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return { context, cleanup: async () => { await context.close(); rmSync(userDataDir, { recursive: true, force: true }); } };
}

// Fills the sandbox's login form and waits for its consent page.
export async function logIn(page, email, password = 'sandbox') {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Allow Access' }).waitFor();
}

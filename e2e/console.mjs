// The console end to end in headless Chromium, driven by admin/ConsoleE2EIT, which runs the application and the
// SIP phones. The two talk in lines: this script prints "E2E <step> …" when it needs the Java side (to park a
// call, to see the BYE, to check a setting) and reads that side's answer from stdin. Any failure exits non-zero
// with the reason on stderr; screenshots go to SCREENSHOTS.
//
// Environment: CONSOLE_URL (http://127.0.0.1:port), OPERATOR, OPERATOR_PASSWORD, TENANT, RIVAL, TENANT_ADMIN,
// TENANT_ADMIN_PASSWORD, SCREENSHOTS, CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const env = name => {
  if (!process.env[name]) throw new Error('environment variable ' + name + ' is required');
  return process.env[name];
};
const base = env('CONSOLE_URL');
const tenant = env('TENANT');
const rival = env('RIVAL');
const shots = env('SCREENSHOTS');
mkdirSync(shots, { recursive: true });

// ----- the Java side, line by line
const lines = createInterface({ input: process.stdin });
const waiting = [];
const received = [];
lines.on('line', line => (waiting.length ? waiting.shift()(line) : received.push(line)));
const answer = () => new Promise(resolve => (received.length ? resolve(received.shift()) : waiting.push(resolve)));
async function ask(step) {
  console.log('E2E ' + step);
  const line = await answer();
  if (line.startsWith('FAIL')) throw new Error('the Java side: ' + line);
  return line;
}

function check(condition, what) {
  if (!condition) throw new Error('expected: ' + what);
}
const timeout = 15000;

const profile = mkdtempSync(join(tmpdir(), 'console-e2e-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 860 },
});
let failed = null;
try {
  const page = browser.pages()[0] || await browser.newPage();
  const foreign = [];
  let listReads = 0; // GETs of the parked-calls list: a park must come over the event stream, not by one of these
  page.on('request', request => {
    if (!request.url().startsWith(base)) foreign.push(request.url());
    if (new URL(request.url()).pathname.endsWith('/parked-calls')) listReads++;
  });
  page.on('pageerror', error => { failed = failed || error; });
  page.on('dialog', dialog => dialog.accept());

  // ----- signing in: a wrong password is said in the form; the right one shows who is signed in
  await page.goto(base + '/console/');
  const signIn = page.locator('#sign-in');
  await signIn.waitFor({ state: 'visible', timeout });
  await signIn.locator('[name=name]').fill(env('OPERATOR'));
  await signIn.locator('[name=password]').fill('not-the-password');
  await signIn.locator('button[type=submit]').click();
  await page.locator('#sign-in .form-error', { hasText: 'wrong user name or password' }).waitFor({ timeout });
  await signIn.locator('[name=password]').fill(env('OPERATOR_PASSWORD'));
  await signIn.locator('button[type=submit]').click();
  await page.locator('#who-name', { hasText: env('OPERATOR') + ' (operator)' }).waitFor({ timeout });
  check(await signIn.isHidden(), 'the sign-in form is gone');
  const cookies = await browser.cookies(base + '/api/');
  const session = cookies.find(c => c.name === 'cloudpark_session');
  check(session && session.httpOnly && session.sameSite === 'Strict', 'an HttpOnly, SameSite=Strict session cookie');
  check(await page.evaluate(() => document.cookie) === '', 'the page\'s scripts cannot read the cookie');

  // ----- the tenant picker searches on the server
  await page.locator('#tenant-search').fill(tenant.slice(0, 12));
  await page.locator('#tenant-results button[data-domain="' + tenant + '"]').click({ timeout });
  await page.locator('#tenant-title', { hasText: tenant }).waitFor({ timeout });
  await page.locator('#live-state', { hasText: 'live' }).waitFor({ timeout });
  await page.evaluate(() => { window.e2eNotReloaded = true; });

  // ----- a call parked over SIP appears without a reload, and its parked-for time runs
  // the list is read when the tenant is shown and again when the stream opens: both before the park
  for (const until = Date.now() + timeout; listReads < 2; await page.waitForTimeout(50)) {
    check(Date.now() < until, 'the parked-calls list read twice (tenant shown, stream open): ' + listReads);
  }
  const readsBefore = listReads;
  const parkId = (await ask('park')).replace(/^PARKED /, '');
  const row = page.locator('#parked tbody tr[data-id="' + parkId + '"]');
  await row.waitFor({ timeout });
  check(await page.evaluate(() => window.e2eNotReloaded === true), 'the page was not reloaded');
  check(listReads === readsBefore, 'the park came over the event stream, the list was not read again');
  const since = row.locator('.since');
  const first = await since.textContent();
  await page.waitForFunction(([selector, before]) => document.querySelector(selector).textContent !== before,
    ['#parked tbody tr[data-id="' + parkId + '"] .since', first], { timeout: 5000 });
  check(/^\d+:\d\d$/.test(await since.textContent()), 'a parked-for time such as 0:02');
  await page.screenshot({ path: join(shots, 'console-desktop.png'), fullPage: true });

  // ----- at phone width nothing is wider than the screen
  await page.setViewportSize({ width: 390, height: 844 });
  check(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no sideways scrolling at 390 px');
  check(await row.locator('button', { hasText: 'Hang up' }).isVisible(), 'the hang-up button at 390 px');
  await page.screenshot({ path: join(shots, 'console-390px.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 860 });

  // ----- hanging up from the console: the row goes, the parked party gets the BYE
  await row.locator('button', { hasText: 'Hang up' }).click();
  await row.waitFor({ state: 'detached', timeout });
  await ask('hung-up ' + parkId);

  // ----- settings: a bad value is shown by its field; a good one is saved
  await page.locator('#tabs button[data-tab=settings]').click();
  const timeoutInput = page.locator('#settings-form [name=parkTimeoutSeconds]');
  await page.waitForFunction(() => document.querySelector('#settings-form [name=parkTimeoutSeconds]').value !== '', null, { timeout });
  await timeoutInput.fill('0');
  await page.locator('#settings-form button[type=submit]').click();
  const fieldError = page.locator('#settings-form .field-error[data-field=parkTimeoutSeconds]');
  await fieldError.waitFor({ timeout });
  check((await fieldError.textContent()).includes('between'), 'the server\'s words by the field: ' + await fieldError.textContent());
  check(await timeoutInput.getAttribute('aria-invalid') === 'true', 'the field is marked invalid');
  await page.screenshot({ path: join(shots, 'console-settings-error.png'), fullPage: true });
  await timeoutInput.fill('77');
  await page.locator('#settings-form button[type=submit]').click();
  await page.locator('#settings-form .form-ok', { hasText: 'Saved.' }).waitFor({ timeout });
  check(await fieldError.count() === 0, 'the error is gone once the value is good');
  await ask('settings parkTimeoutSeconds=77');

  // ----- history, filtered, and the audit log
  await page.locator('#tabs button[data-tab=history]').click();
  await page.locator('#history-form [name=resolution]').selectOption('ENDED_BY_OPERATOR');
  await page.locator('#history-form button[type=submit]').click();
  await page.locator('#history tbody tr[data-id="' + parkId + '"]', { hasText: 'ENDED_BY_OPERATOR' }).waitFor({ timeout });
  await page.locator('#history-form [name=resolution]').selectOption('RETRIEVED');
  await page.locator('#history-form button[type=submit]').click();
  await page.locator('#history tbody tr.empty').waitFor({ timeout });
  await page.locator('#tabs button[data-tab=audit]').click();
  await page.locator('#audit tbody tr', { hasText: 'settings.update' }).waitFor({ timeout });
  await page.locator('#audit tbody tr', { hasText: 'parked-call.hang-up' }).waitFor({ timeout });

  // ----- extensions with their devices
  await page.locator('#tabs button[data-tab=extensions]').click();
  const parker = page.locator('#extensions tbody tr[data-extension="200"]');
  await parker.waitFor({ timeout });
  await parker.locator('.device').first().waitFor({ timeout });

  // ----- a switch clears the previous tenant's data at once, and a failed one leaves nothing behind
  let duringSwitch = null;
  await page.route('**/api/tenants/nobody.invalid', async route => {
    duringSwitch = await page.evaluate(() => ({
      rows: document.querySelectorAll('#extensions tbody tr, #parked tbody tr, #history tbody tr, #audit tbody tr').length,
      title: document.getElementById('tenant-title').textContent,
    }));
    await route.continue();
  });
  await page.evaluate(() => { location.hash = '#/nobody.invalid/extensions'; });
  await page.locator('#tenant-error', { hasText: 'no tenant nobody.invalid' }).waitFor({ timeout });
  check(duringSwitch && duringSwitch.rows === 0 && duringSwitch.title === 'nobody.invalid',
    'nothing of the previous tenant while the switch was under way: ' + JSON.stringify(duringSwitch));
  check(await page.locator('#extensions tbody tr').count() === 0, 'nothing of the previous tenant after the failed switch');
  check(await page.locator('#tabs').isHidden(), 'no tabs for a tenant that is not there');

  // ----- signing out ends the session on the server
  await page.locator('#sign-out').click();
  await signIn.waitFor({ state: 'visible', timeout });
  check(await page.evaluate(async () => (await fetch('../api/me', { headers: { 'X-Requested-With': 'e2e' } })).status) === 401,
    'the session is over');

  // ----- a tenant admin sees its own tenant, and another is as if it did not exist
  await signIn.locator('[name=name]').fill(env('TENANT_ADMIN'));
  await signIn.locator('[name=password]').fill(env('TENANT_ADMIN_PASSWORD'));
  await signIn.locator('button[type=submit]').click();
  await page.locator('#who-name', { hasText: 'admin of ' + tenant }).waitFor({ timeout });
  check(await page.locator('#picker').isHidden(), 'no tenant picker for a tenant admin');
  await page.locator('#tenant-title', { hasText: tenant }).waitFor({ timeout });
  await page.locator('#tabs').waitFor({ timeout });
  await page.evaluate(r => { location.hash = '#/' + r + '/extensions'; }, rival);
  await page.locator('#tenant-error', { hasText: 'no tenant ' + rival }).waitFor({ timeout });
  check(await page.locator('#extensions tbody tr').count() === 0, 'none of the rival\'s extensions');
  const listed = await page.evaluate(async r => (await (await fetch('../api/tenants?q=' + r)).json()).length, rival);
  check(listed === 0, 'the rival is not in the tenant admin\'s list');
  await page.screenshot({ path: join(shots, 'console-tenant-admin.png'), fullPage: true });

  check(foreign.length === 0, 'nothing fetched from anywhere else: ' + foreign.join(', '));
  if (failed) throw failed;
  console.log('E2E done');
} catch (error) {
  failed = error;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
if (failed) {
  console.error('console e2e failed: ' + (failed.stack || failed));
  process.exit(1);
}
process.exit(0);

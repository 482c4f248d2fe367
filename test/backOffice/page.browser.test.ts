import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { BrowserContext, chromium, Page } from 'playwright-core';
import type { NasSubmission } from '../../adapters/nasRequests';
import { londonDay } from '../../adapters/serviceEvents';
import { REPO_ROOT, RunningBot, startBot } from '../helpers/bot';
import { newOdsCode, registration } from '../helpers/nasRequests';

/**
 * The back-office page in Debian's Chromium (headless): signing in, the queue by status and kind,
 * a request's details and history, status changes (also one refused because the request changed
 * meanwhile), taking the next request, the dashboard's charts and tables; with the keyboard only,
 * at desktop and phone width, checked by axe-core. Screenshots go to test/artifacts/.
 */

declare const document: {
  activeElement: { id?: string; textContent: string | null; tagName: string } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
};

const CHROMIUM = '/usr/bin/chromium';
const RUN = existsSync(CHROMIUM) || process.env.CI === 'true';
const ARTIFACTS = path.join(REPO_ROOT, 'test', 'artifacts');
const CARE = 'care-page-token-'.padEnd(44, 'p');
const DENTAL = 'dental-page-token-'.padEnd(44, 'q');

if (!RUN) console.warn(`test/backOffice/page.browser.test.ts is skipped: ${CHROMIUM} is missing (CI installs it and always runs it).`);

const isLocal = (url: string) => {
  if (/^(data|about|blob):/.test(url)) return true;
  try {
    const { hostname } = new URL(url);
    return hostname === '127.0.0.1' || hostname === 'localhost';
  } catch {
    return false;
  }
};

async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

(RUN ? describe : describe.skip)('the back-office page in Chromium', () => {
  let bot: RunningBot;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const elsewhere: string[] = [];
  const consoleProblems: string[] = [];
  const refs: string[] = [];
  /** The registration's last part before it finishes, as the funnel names it. */
  let partTitle = '';

  const dental = (ods: string): NasSubmission<'registration'> => {
    const base = registration(ods, { channelId: 'webchat' });
    return { ...base, queue: 'dental', details: { ...base.details, organisation: { ...base.details.organisation, kind: 'dental', name: 'Quay Dental' } } };
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    bot = await startBot({ NAS_API_TOKENS: `care:${CARE},dental:${DENTAL}` });
    for (let i = 0; i < 3; i++) {
      // Web chat requesters whose conversations are long gone: telling them reaches nothing off this machine.
      const made = await bot.assistant.adapters.requests.submit(registration(newOdsCode(), { channelId: 'webchat', manager: ['Jane', 'Ruth', 'Omar'][i] }));
      if (made.outcome === 'created') refs.push(made.request.reference);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await bot.assistant.adapters.requests.submit(dental(newOdsCode()));
    // A few days of conversations for the dashboard.
    const events = bot.assistant.events;
    for (let i = 0; i < 5; i++) events.record({ name: 'flowStarted', flow: 'registration', channel: 'webchat' });
    const part = bot.assistant.backOffice.funnelSteps.at(-1)!;
    partTitle = part.title;
    for (let i = 0; i < 3; i++) events.record({ name: 'stepEntered', flow: 'registration', channel: 'webchat', step: part.step, once: `a${i}:${part.step}` });
    events.record({ name: 'flowFinished', flow: 'registration', channel: 'webchat', once: 'a0:finished' });
    events.record({ name: 'requestDone', kind: 'registration', durationMs: 3 * 60 * 60 * 1000 });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'nhsca-nas-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    context.on('request', (request) => {
      if (!isLocal(request.url())) elsewhere.push(request.url());
    });
    await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      // The refusals this test provokes (a wrong token, a stale change, a bad period) are logged by Chromium too.
      if (/Failed to load resource: the server responded with a status of (400|401|409)/.test(message.text())) return;
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) consoleProblems.push(message.text());
    });
    page.on('pageerror', (error) => consoleProblems.push(`page error: ${error.message}`));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await bot?.close();
    expect(elsewhere).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });

  async function seriousViolations(): Promise<string[]> {
    const results = await new AxeBuilder({ page }).analyze();
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  }

  const focused = () => page.evaluate(() => ({ id: document.activeElement?.id ?? '', text: (document.activeElement?.textContent ?? '').trim(), tag: document.activeElement?.tagName ?? '' }));

  /** Presses Tab until the focused element matches, as a keyboard user would (at most 60 times). */
  async function tabTo(match: (f: { id: string; text: string; tag: string }) => boolean, what: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (match(await focused())) return;
    }
    throw new Error(`Tab never reached ${what}`);
  }

  const shows = (pattern: RegExp) => waitUntil(async () => pattern.test(await page.locator('main').innerText()), `the page to show ${pattern}`);

  const noSideways = async () => {
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  };

  it('signs in with the keyboard only: a wrong token is refused in words, the right one opens the queue by status and kind', async () => {
    const response = await page.goto(`${bot.url}/nas/`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect(page.title()).resolves.toBe('Sign in to the back office – NAS back office');
    expect(await seriousViolations()).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'nas-signin-desktop.png'), fullPage: true });

    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Skip to main content');
    await tabTo((f) => f.id === 'signin-token', 'the token field');
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Sam Jones');
    await page.keyboard.press('Enter');
    await waitUntil(async () => (await page.locator('#signin-error').innerText()).includes('That token was not accepted'), 'the refusal');
    expect((await focused()).id).toBe('signin-token');

    await page.keyboard.press('Control+A');
    await page.keyboard.type(CARE);
    await page.keyboard.press('Enter');
    await shows(/Signed in to the care queue as Sam Jones\./);
    await waitUntil(async () => (await focused()).id === 'queue-heading', 'the queue heading to have the focus');
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('The care queue');
    const counts = page.getByRole('table', { name: 'How many requests of each kind are in each status' });
    await waitUntil(async () => (await counts.innerText()).includes('registration'), 'the counts');
    await expect(counts.getByRole('link', { name: '3 registration received' }).count()).resolves.toBe(1);
    const list = page.getByRole('table', { name: 'Requests, newest first' });
    await waitUntil(async () => (await list.getByRole('row').count()) === 4, 'three requests listed');
    expect(await list.innerText()).not.toContain('Quay Dental');
    await shows(/3 requests\./);
    expect(await seriousViolations()).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'nas-queue-desktop.png'), fullPage: true });
  }, 60_000);

  it('opens a request from the list, shows its members and history, and changes its status with a reason, by keyboard', async () => {
    const ref = refs[0]!;
    await tabTo((f) => f.text === ref, `the link to ${ref}`);
    await page.keyboard.press('Enter');
    await waitUntil(async () => (await focused()).id === 'request-heading', 'the request heading');
    await shows(new RegExp(`${ref}: registration`));
    await shows(/Members \(the first is the shared mailbox owner\)/);
    expect(await page.locator('#request-details').innerText()).toContain('jane.oneill@example.org');
    expect(await page.getByRole('table', { name: 'Every change of status, oldest first' }).innerText()).toMatch(/received\s+requester/);
    expect(await seriousViolations()).toEqual([]);

    await tabTo((f) => f.id === 'change-status', 'the status list');
    await page.keyboard.press('ArrowDown'); // in progress → waiting for the requester
    await waitUntil(async () => page.locator('#change-question-field').isVisible(), 'the question field');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Which town is the home in? The postcode and the town you gave do not match.');
    await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Change the status', 'the change button');
    await page.keyboard.press('Enter');
    await shows(new RegExp(`${ref} is now waiting for the requester\\.`));
    await shows(/Waiting on the answer to\s+Which town is the home in\?/);
    expect(await page.getByRole('table', { name: 'Every change of status, oldest first' }).innerText()).toMatch(/waiting for the requester\s+Sam Jones\s+Asked: Which town/);
    expect(await seriousViolations()).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'nas-request-desktop.png'), fullPage: true });
  }, 60_000);

  it('refuses a change when the request changed since it was opened, and says so where the form is', async () => {
    const ref = refs[0]!;
    // Someone else answers for the requester while this page shows the request.
    const stored = await bot.assistant.adapters.requests.get(ref);
    await bot.assistant.adapters.requests.update(ref, { status: 'inProgress', by: 'requester', answer: 'Leeds' }, stored!.version);
    await page.locator('#change-status').selectOption('rejected');
    await page.locator('#change-reason').fill('A hospice: it should use the third-party process.');
    await page.getByRole('button', { name: 'Change the status' }).click();
    await waitUntil(async () => (await page.locator('#change-error').innerText()).includes('Someone changed this request since you opened it'), 'the stale refusal');
    await waitUntil(async () => (await focused()).id === 'change-error', 'the refusal to have the focus');
    await shows(/Answer: Leeds/);
    const after = await bot.assistant.adapters.requests.get(ref);
    expect(after?.status).toBe('inProgress');

    // A rejection without a reason is stopped on the page, beside the field.
    await page.locator('#change-status').selectOption('rejected');
    await page.locator('#change-reason').fill('');
    await page.getByRole('button', { name: 'Change the status' }).click();
    await waitUntil(async () => (await page.locator('#change-error').innerText()).includes('Write why the request is rejected'), 'the missing reason');
    expect((await focused()).id).toBe('change-reason');
  }, 60_000);

  it('takes the next request of the queue', async () => {
    await page.getByRole('link', { name: 'Back to the queue' }).click();
    await page.getByRole('button', { name: 'Take the next request' }).click();
    await shows(/You have taken REG-/);
    await shows(/Taken by\s+Sam Jones/);
    const heading = await page.getByRole('heading', { level: 1 }).innerText();
    expect(refs).toContain(heading.slice(0, 12));
  }, 60_000);

  it('draws the dashboard: the funnel, requests per day by kind, time to done, each with its table', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await waitUntil(async () => (await focused()).id === 'dashboard-heading', 'the dashboard heading');
    const funnel = page.getByRole('table', { name: /Registration attempts reaching each part/ });
    await waitUntil(async () => (await funnel.innerText()).includes('Finished'), 'the funnel table');
    const rows = (await funnel.innerText()).split('\n');
    expect(rows).toContain('Started\t5\t100%\t5');
    expect(rows).toContain(`${partTitle}\t3\t60%\t2`);
    expect(rows.at(-1)).toBe('Finished\t1\t20%\t0');
    const today = londonDay(Date.now());
    expect(await page.getByRole('table', { name: 'Requests made each day, by kind' }).innerText()).toContain(`${today}\t4\t4`);
    expect(await page.getByRole('table', { name: /Median time from a request being made to done/ }).innerText()).toContain('registration\t1\t3 hours');
    const drawn = await page.locator('canvas').evaluateAll((canvases) =>
      canvases.map((c) => ({ label: (c as unknown as { getAttribute(n: string): string }).getAttribute('aria-label'), width: (c as unknown as { width: number }).width })),
    );
    expect(drawn).toHaveLength(3);
    for (const c of drawn) expect(c.width).toBeGreaterThan(100);
    expect(drawn[0]!.label).toMatch(new RegExp(`^Bar chart of registration attempts reaching each part: Started 5, .*${partTitle} 3, Finished 1\\. The figures are in the table below\\.$`));
    expect(await seriousViolations()).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'nas-dashboard-desktop.png'), fullPage: true });

    await page.locator('#period-from').fill('2025-02-01');
    await page.locator('#period-to').fill('2025-01-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await waitUntil(async () => (await page.locator('#period-error').innerText()).includes('before it starts'), 'the period refusal');
  }, 60_000);

  it('works at phone width: nothing wider than the screen, every view usable', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${bot.url}/nas/#/queue`);
    await shows(/requests\./);
    await noSideways();
    await page.screenshot({ path: path.join(ARTIFACTS, 'nas-queue-phone.png'), fullPage: true });
    expect(await seriousViolations()).toEqual([]);
    await page.goto(`${bot.url}/nas/#/requests/${refs[1]}`);
    await shows(/Members \(the first/);
    await noSideways();
    await page.screenshot({ path: path.join(ARTIFACTS, 'nas-request-phone.png'), fullPage: true });
    await page.goto(`${bot.url}/nas/#/dashboard`);
    await shows(/Finished/);
    await noSideways();
    await page.screenshot({ path: path.join(ARTIFACTS, 'nas-dashboard-phone.png'), fullPage: true });
    expect(await seriousViolations()).toEqual([]);
  }, 60_000);

  it('keeps the sign-in for the tab until signing out', async () => {
    await page.reload();
    await shows(/Finished/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await shows(/You have signed out\./);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Sign in to the back office');
    await page.goto(`${bot.url}/nas/#/queue`);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Sign in to the back office');
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 60_000);

  it('shows a password reset in words, at phone width: the account, where the temporary password goes, how the requester was checked', async () => {
    const at = Date.now() - 60_000;
    const made = await bot.assistant.adapters.requests.submit({
      kind: 'passwordReset',
      queue: 'care',
      odsCode: 'VLH01',
      details: {
        account: { address: 'joseph.achebe@nhs.net', name: 'Joseph Achebe', odsCode: 'VLH01' },
        mobile: '+447400123456',
        verification: { verifiedBy: 'owner', at, owner: { address: 'priya.raman@nhs.net', name: 'Priya Raman' }, answer: 'yes', askedAt: at - 3_600_000, via: 'email' },
      },
      idempotencyKey: 'page-reset',
      requester: { conversationKey: 'gone', conversationReference: null, channelId: 'webchat' },
    });
    if (made.outcome !== 'created') throw new Error(made.outcome);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#signin-token').fill(CARE);
    await page.locator('#signin-name').fill('Sam Jones');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shows(/Signed in to the care queue as Sam Jones\./);
    await page.goto(`${bot.url}/nas/#/requests/${made.request.reference}`);
    await shows(/Temporary password to/);
    const text = await page.locator('#request-details').innerText();
    expect(text).toMatch(/Account\s+Joseph Achebe \(joseph\.achebe@nhs\.net\), ODS code VLH01/);
    expect(text).toMatch(/Temporary password to\s+07400 123456 \(text it there; never through the chat\)/);
    expect(text).toMatch(/Checked\s+by shared mailbox owner Priya Raman \(priya\.raman@nhs\.net\), who said yes with the code emailed to them on/);
    expect(text).not.toMatch(/verifiedBy|\{/);
    await noSideways();
    expect(await seriousViolations()).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'nas-password-reset-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 60_000);
});

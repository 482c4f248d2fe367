import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { main } from '../../scripts/nas';
import { REPO_ROOT, RunningBot, startBot, startPrivateRedis, waitFor } from '../helpers/bot';
import { newOdsCode, registration } from '../helpers/nasRequests';
import type { TestRedis } from '../helpers/redis';

/**
 * The web chat page in Chromium talks to one bot instance; NAS works the request elsewhere —
 * `npm run nas` (a process with no server) and the API of another instance — and the page hears
 * each change: the status card, replaced where it stands as the request moves, NAS's question
 * with its answer box, the answer taken back, and "status of REG-…" answered.
 */

declare const localStorage: { getItem(key: string): string | null };

const CHROMIUM = '/usr/bin/chromium';
const RUN = existsSync(CHROMIUM) || process.env.CI === 'true';
const ARTIFACTS = path.join(REPO_ROOT, 'test', 'artifacts');
const TOKEN = 'w'.repeat(40);

(RUN ? describe : describe.skip)('NAS changes on the web chat page', () => {
  let redis: TestRedis;
  let pageBot: RunningBot;
  let nasBot: RunningBot;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    redis = await startPrivateRedis();
    [pageBot, nasBot] = await Promise.all([
      startBot({ REDIS_URL: redis.url, WEBCHAT_ENABLED: 'true' }),
      startBot({ REDIS_URL: redis.url, NAS_API_TOKENS: `care:${TOKEN}` }),
    ]);
    dir = mkdtempSync(path.join(os.tmpdir(), 'nhsca-told-chromium-'));
    context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 390, height: 844 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    context.on('request', (request) => requests.push(request.url()));
    await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient')));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy|Failed to render/i.test(message.text())) problems.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await Promise.all([pageBot?.close(), nasBot?.close()]);
    await redis?.stop();
  });

  const body = () => page.locator('body').innerText();
  const shows = (pattern: RegExp) => waitFor(async () => pattern.test(await body()), `the page to show ${pattern}`, 20_000, 100);

  it('shows each change NAS makes, from the command line and from another instance, and takes the answer to its question', async () => {
    await page.goto(`${pageBot.url}/`);
    await shows(/What would you like to do\?/);
    const { conversationId } = JSON.parse((await page.evaluate(() => localStorage.getItem('nhsca.webchat.conversation.v2'))) ?? '{}') as { conversationId: string };
    const key = pageBot.assistant.engine.conversationKey({ channelId: 'webchat', conversationId });
    await waitFor(async () => (await pageBot.assistant.references.get(key)) !== undefined, 'the conversation reference');
    // The registration this conversation made (its requester is this page's conversation).
    const made = await pageBot.assistant.adapters.requests.submit({
      ...registration(newOdsCode()),
      requester: { conversationKey: key, conversationReference: await pageBot.assistant.references.get(key), channelId: 'webchat' },
    });
    if (made.outcome !== 'created') throw new Error(made.outcome);
    const ref = made.request.reference;

    const out: string[] = [];
    const started = await main(['update', ref, 'in-progress', '--as', 'Sam Jones'], { REDIS_URL: redis.url, LOG_LEVEL: 'silent' }, (l) => out.push(l), (l) => out.push(l));
    expect([started, out.join('\n')]).toEqual([0, expect.stringContaining('The requester has been told in the chat that raised it.')]);
    await shows(new RegExp(`Your registration for Rose Court Care Home is in progress \\(${ref}\\)`));
    await shows(/Status: in progress/);

    // NAS asks, through the API of the other instance.
    const read = await fetch(`${nasBot.url}/nas/api/requests/${ref}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const asked = await fetch(`${nasBot.url}/nas/api/requests/${ref}/status`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'If-Match': read.headers.get('etag')! },
      body: JSON.stringify({ status: 'waitingForRequester', by: 'Sam Jones', question: 'Which town is the home in?' }),
    });
    expect(asked.status).toBe(200);
    await shows(/They ask: “Which town is the home in\?”/);
    // The card is replaced where it stands: one status card for the request.
    await waitFor(async () => !/Status: in progress/.test(await body()), 'the in-progress card to be replaced', 20_000, 100);
    expect(await page.getByText(`(${ref})`, { exact: false }).count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-nas-question.png'), fullPage: true });

    // The requester answers in the card's box.
    const box = page.getByRole('textbox', { name: `Your answer for ${ref}` });
    await box.fill('It is in Leeds, LS6.');
    await page.getByRole('button', { name: 'Send my answer to NAS' }).click();
    await shows(/Thank you\. I have passed your answer to NAS: “It is in Leeds, LS6\.”/);
    await waitFor(async () => (await pageBot.assistant.adapters.requests.get(ref))?.status === 'inProgress', 'the request back in progress');
    expect((await pageBot.assistant.adapters.requests.get(ref))?.history.at(-1)).toMatchObject({ by: 'requester', answer: 'It is in Leeds, LS6.' });
    await shows(/Status: in progress/);

    const done = await main(['update', ref, 'done', '--as', 'Sam Jones'], { REDIS_URL: redis.url, LOG_LEVEL: 'silent' }, () => undefined, () => undefined);
    expect(done).toBe(0);
    await shows(/Status: done/);
    await shows(/welcome email with their username/);

    const message = page.getByRole('textbox', { name: /message/i }).or(page.getByPlaceholder('Type your message')).first();
    await message.fill(`what is the status of ${ref.toLowerCase()}?`);
    await message.press('Enter');
    await shows(new RegExp(`Its status is done, since`));
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-nas-done.png'), fullPage: true });
    expect(requests.filter((u) => u.startsWith(nasBot.url))).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { ChannelActivity, LocalChannel } from '../../bench/localChannel';
import { REPO_ROOT, RunningBot, startBot, startPrivateRedis, waitFor } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';
import { scaled } from '../helpers/timeouts';

/**
 * Password help on the web chat page at phone width, in Debian's Chromium (headless): a user with
 * no mobile on their account asks for a reset; a shared mailbox owner, in their own Teams chat on
 * another bot instance, vouches; the page — polling the first instance — shows the answer without
 * the user typing anything. Skipped only on a developer's machine without /usr/bin/chromium.
 */

const CHROMIUM = '/usr/bin/chromium';
const RUN = existsSync(CHROMIUM) || process.env.CI === 'true';
const ARTIFACTS = path.join(REPO_ROOT, 'test', 'artifacts');
const REFERENCE = /PWD-[A-HJ-NP-Z2-9]{8}/;

const isLocal = (url: string) => {
  if (/^(data|about|blob):/.test(url)) return true;
  try {
    const { hostname } = new URL(url);
    return hostname === '127.0.0.1' || hostname === 'localhost';
  } catch {
    return false;
  }
};

(RUN ? describe : describe.skip)('password help on the web page, vouched for in Teams', () => {
  let redis: TestRedis;
  let a: RunningBot;
  let b: RunningBot;
  let teams: LocalChannel;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const received: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    redis = await startPrivateRedis();
    a = await startBot({ REDIS_URL: redis.url });
    b = await startBot({ REDIS_URL: redis.url });
    teams = await LocalChannel.start({ channelId: 'msteams' });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'nhsca-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 390, height: 844 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
    page = context.pages()[0] ?? (await context.newPage());
    // What the page reads from the Direct Line (its polls), the user's messages included.
    page.on('response', async (res) => {
      if (res.request().method() !== 'GET' || !/\/v3\/directline\/conversations\/[^/]+\/activities/.test(res.url())) return;
      try {
        const body = (await res.json()) as { activities: { text?: string }[] };
        received.push(...body.activities.map((activity) => activity.text ?? ''));
      } catch {
        // A poll cut short when the page closes.
      }
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await teams?.close();
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  const transcriptText = () => page.locator('body').innerText();
  async function shows(pattern: RegExp, timeoutMs = scaled(20_000)): Promise<string> {
    let text = '';
    try {
      await waitFor(async () => pattern.test((text = await transcriptText())), `the page to show ${pattern}`, timeoutMs, 100);
    } catch (error) {
      // What the page showed instead, at the end.
      throw new Error(`${(error as Error).message}\n--- the page ended with:\n${text.slice(-1500)}`);
    }
    return text;
  }
  async function type(text: string, then: RegExp): Promise<void> {
    const box = page.getByRole('textbox', { name: /message/i }).or(page.getByPlaceholder('Type your message')).first();
    await box.fill(text);
    await box.press('Enter');
    await shows(then);
  }
  async function press(label: string, then: RegExp): Promise<void> {
    const button = page.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button', { name: label, exact: true });
    await waitFor(async () => (await button.count()) > 0, `a "${label}" button`, scaled(15_000), 100);
    await button.first().click();
    await shows(then);
  }

  it('no mobile: the owner’s yes in Teams reaches the page as a verified request, and a typed password never shows back', async () => {
    // Priya, an owner, has a Teams chat with the assistant (on instance B).
    const priyaId = `29:${randomUUID()}`;
    teams.setMember(priyaId, { name: 'Priya Raman', email: 'priya.raman@nhs.net', userPrincipalName: 'priya.raman@nhs.net' });
    const chat = `a:${randomUUID()}`;
    const priya = (text: string) =>
      teams.send(b.url, teams.activity(chat, { type: 'message', text, from: { id: priyaId, name: 'Priya' }, conversation: { id: chat, conversationType: 'personal' } as ChannelActivity['conversation'] }));
    expect((await priya('hello')).status).toBe(200);

    const response = await page.goto(`${a.url}/`);
    expect(response?.status()).toBe(200);
    await shows(/What would you like to do\?/);
    await press('Password and account help', /What is happening with your NHSmail account\?/);
    await press('I forgot my password', /self-service password management/);
    // A password typed by mistake is dropped: the conversation the page reads back from the
    // server holds only "[password]" (what is on the screen is the user's own typing).
    await type('my password was Summer2024!x', /That looked like a password/);
    await waitFor(() => received.some((t) => t.includes('[password]')), 'the page to read its own message back', scaled(10_000), 100);
    expect(received.filter((t) => t.includes('Summer2024!x'))).toEqual([]);
    await press("I can't answer my security questions", /Which NHSmail address is it for\?/);
    await type('joseph.achebe@nhs.net', /can you get text messages/);
    await press("No, I don't have that phone", /Which mobile number should NAS text/);
    // Web Chat's Markdown shows a typed apostrophe as a typographic one (’).
    await type('07400 123456', /I have asked your organisation['’]s shared mailbox owners/);
    await page.waitForTimeout(800); // Web Chat scrolls the new message into view
    await page.screenshot({ path: path.join(ARTIFACTS, 'password-help-waiting-phone.png'), fullPage: false });

    // Priya is asked in her own chat and says yes there.
    await waitFor(() => teams.transcript(chat).some((m) => /Do you vouch that it is really Joseph Achebe/.test(m.text ?? '')), 'the question in Teams', scaled(15_000));
    const yes = await priya('yes');
    const reference = REFERENCE.exec(yes.replies.map((r) => r.text ?? '').join('\n'))?.[0];
    expect(reference).toBeDefined();

    // The page, talking to instance A, shows it without Joseph typing anything.
    const shown = await shows(new RegExp(`Your shared mailbox owner has vouched for you[\\s\\S]*${reference}`));
    expect(shown).toMatch(/mobile number ending 456/);
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(ARTIFACTS, 'password-help-vouched-phone.png'), fullPage: false });
    // Nothing wider than the phone.
    const overflow = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  }, 120_000);
});

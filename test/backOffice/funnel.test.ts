import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { londonDay } from '../../adapters/serviceEvents';
import { REPO_ROOT, RunningBot, startBot } from '../helpers/bot';
import { registrableOrganisations, scriptedRegistration, ScriptedChat, StopAfter } from './scripted';

/**
 * The dashboard counts conversations as they happen: 20 registrations typed into the real
 * engine, stopping at different parts (two going back over a question on the way), give the
 * funnel on the API and on the back-office page in Chromium; nothing is read from stored state.
 */

const TOKEN = 'f'.repeat(40);
const CHROMIUM = '/usr/bin/chromium';
const BROWSER = existsSync(CHROMIUM) || process.env.CI === 'true';

/** How far each of the 20 goes: 20 start, 16 reach the organisation, 14 verification, 13 the town, 12 members, 9 finish. */
const SCRIPT: StopAfter[] = [
  ...Array<StopAfter>(4).fill('checks'),
  ...Array<StopAfter>(2).fill('organisation'),
  'verification',
  'town',
  ...Array<StopAfter>(3).fill('members'),
  ...Array<StopAfter>(9).fill('finished'),
];

interface FunnelRow {
  step: string;
  title: string;
  reached: number;
  percentOfStarted: number;
  droppedHere: number;
}

describe('the dashboard from scripted conversations', () => {
  let bot: RunningBot;
  const chats: ScriptedChat[] = [];

  beforeAll(async () => {
    bot = await startBot({ NAS_API_TOKENS: `care:${TOKEN}`, RATE_LIMIT_PER_MINUTE: '0', USER_RATE_LIMIT_PER_MINUTE: '0' });
    const finishers = registrableOrganisations(9);
    const others = registrableOrganisations(1, 9)[0]!;
    let finished = 0;
    for (const [i, stopAfter] of SCRIPT.entries()) {
      const org = stopAfter === 'finished' ? finishers[finished++]! : others;
      chats.push(await scriptedRegistration(bot.assistant.engine, org, stopAfter, { wander: i === 12 || i === 13 }));
    }
    // A message the assistant cannot place, in a conversation of its own.
    const lost = new ScriptedChat(bot.assistant.engine);
    await lost.say(undefined);
    await lost.say('the kettle is broken', /Sorry, I did not understand that/);
    await bot.assistant.events.flush();
  }, 120_000);

  afterAll(async () => {
    await bot?.close();
  });

  const get = async (route: string) => (await (await fetch(`${bot.url}${route}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, any>;

  it('counts 20 started, 12 reaching the members, 9 finished, and every part in between', async () => {
    const today = londonDay(Date.now());
    const stats = await get(`/nas/api/stats?from=${today}&to=${today}`);
    expect((stats.funnel as FunnelRow[]).map((r) => [r.title, r.reached, r.percentOfStarted, r.droppedHere])).toEqual([
      ['Started', 20, 100, 4],
      ['Organisation details', 16, 80, 2],
      ['Verification', 14, 70, 1],
      ['Town and members', 13, 65, 1],
      ['Members', 12, 60, 3],
      ['Review and confirm', 9, 45, 0],
      ['Finished', 9, 45, 0],
    ]);
    expect(stats.totals).toMatchObject({
      conversationsStarted: 21,
      registrationsStarted: 20,
      registrationsFinished: 9,
      requestsCreated: 9,
      questionsNotUnderstood: 1,
    });
    expect(stats.byChannel).toEqual([{ channel: 'emulator', conversationsStarted: 21, registrationsStarted: 20, registrationsFinished: 9 }]);
    expect(stats.requestsPerDay).toEqual([{ day: today, total: 9, byKind: { registration: 9 } }]);
  });

  (BROWSER ? it : it.skip)('shows the same funnel on the back-office page', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhsca-funnel-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    try {
      await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient')));
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${bot.url}/nas/#/dashboard`);
      await page.locator('#signin-token').fill(TOKEN);
      await page.locator('#signin-name').fill('Sam Jones');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const table = page.getByRole('table', { name: /Registration attempts reaching each part/ });
      await table.getByRole('row', { name: /Finished/ }).waitFor();
      const rows = (await table.innerText()).split('\n').slice(2);
      expect(rows).toEqual([
        'Started\t20\t100%\t4',
        'Organisation details\t16\t80%\t2',
        'Verification\t14\t70%\t1',
        'Town and members\t13\t65%\t1',
        'Members\t12\t60%\t3',
        'Review and confirm\t9\t45%\t0',
        'Finished\t9\t45%\t0',
      ]);
      const label = await page.locator('#funnel-chart').getAttribute('aria-label');
      expect(label).toContain('Started 20, Organisation details 16, Verification 14, Town and members 13, Members 12, Review and confirm 9, Finished 9');
      mkdirSync(path.join(REPO_ROOT, 'test', 'artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(REPO_ROOT, 'test', 'artifacts', 'nas-funnel-desktop.png'), fullPage: true });
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

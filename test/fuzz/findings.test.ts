import { randomUUID } from 'node:crypto';
import { LocalChannel } from '../../bench/localChannel';
import { LONG_MESSAGE_LENGTH, LONG_MESSAGE_PIECES, LONG_MESSAGE_READERS } from '../../bench/longMessages';
import { redact as redactForLog } from '../../bot/logger';
import { extractSlots } from '../../dialogs/knowledge/slots';
import { redact as redactForHandOver } from '../../dialogs/questions/redact';
import { MAX_MESSAGE_CHARACTERS } from '../../dialogs/messageLength';
import { nhsmailAddress } from '../../dialogs/passwordHelp/read';
import { findPasswords } from '../../dialogs/passwordSafety';
import { role } from '../../dialogs/validators';
import { RunningBot, startBot } from '../helpers/bot';
import { freePort } from '../helpers/redis';
import { scaled } from '../helpers/timeouts';
import { transcript } from '../helpers/transcript';
import { unescapedAround } from './hostile';

/**
 * Defects the fuzz campaign (test/fuzz/campaign.ts) found, each kept by a test of its own. The
 * campaign finds them again if they come back; these say plainly what was wrong.
 */

// 200,000 characters: the longest text an activity may carry (bot/activities.ts).
const LONG_RUNS = LONG_MESSAGE_PIECES.map((piece) => [JSON.stringify(piece), piece.repeat(Math.ceil(LONG_MESSAGE_LENGTH / piece.length))]);

describe('long messages: the readers that see a whole message read it once, not from every character', () => {
  // Before: the password check tried "… is my password" from every character of a run without
  // spaces (about 11 s for 100 KB, 45 s for 200 KB); the NHSmail address reader did the same with
  // "x@y"; the role reader built an edit-distance table as long as the text for each role name;
  // the slots reader and the hand-over and log redaction tried "x@y" from every character (up to
  // 90 s for one turn of 100 KB). How long each takes is a benchmark figure (npm run bench,
  // bench/longMessages.ts); here, what each says of such a text.
  it.each(LONG_RUNS)('the password check, %s repeated: a password only when the run meets the password rules', (name, text) => {
    const found = findPasswords(text).map((p) => [p.start, p.end, p.reason]);
    expect(found).toEqual(name === '"a1!"' ? [[0, text.length, 'meetsPasswordRules']] : []);
  });

  it.each(LONG_RUNS)('the NHSmail address reader, %s repeated: not an address', (_name, text) => {
    expect(nhsmailAddress(text).ok).toBe(false);
  });

  it.each(LONG_RUNS)('the role reader, %s repeated: not a role (too long, or no letters at all)', (_name, text) => {
    expect(role(text, 'care')).toEqual({ ok: false, error: expect.stringMatching(/^(?:That is too long for a role|The role is missing); please choose one of: /) });
  });

  it.each(LONG_RUNS)('the slots reader, %s repeated: no address, postcode or name', (_name, text) => {
    const slots = extractSlots(text);
    expect([slots.nhsmailAddress, slots.email, slots.personName]).toEqual([undefined, undefined, undefined]);
  });

  it.each(LONG_RUNS)('the hand-over redaction, %s repeated: cut to its length', (_name, text) => {
    expect([...redactForHandOver(text, 300)].length).toBeLessThanOrEqual(300);
  });

  it('an address at the end of a long run is still found and redacted', () => {
    const text = `${'a.'.repeat(50_000)} jane.smith@nhs.net`;
    expect(extractSlots(text).nhsmailAddress).toBe('jane.smith@nhs.net');
    expect(redactForLog(text)).not.toContain('jane.smith@nhs.net');
  });

  it('a misspelt role is still read as the role it is closest to', () => {
    expect(role('registered manger', 'care')).toEqual({ ok: true, value: 'Registered Manager' });
  });

  it('the benchmark measures every one of these readers', () => {
    expect(LONG_MESSAGE_READERS.map(([name]) => name)).toEqual(['password check', 'NHSmail address reader', 'role reader', 'slots reader', 'hand-over redaction', 'log redaction']);
  });
});

describe(`a message longer than ${MAX_MESSAGE_CHARACTERS} characters is not read`, () => {
  const tooLong = 'LS6 1BN '.repeat(12_500);

  it('in a flow: the user is told, and the same question is asked again', async () => {
    const t = transcript();
    for (const said of ['register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue']) await t.say(said);
    const reply = await t.ask(tooLong);
    expect(reply).toMatch(/That message is too long for me to read \(100,000 characters; I read up to 4,000\)\. Please send just the answer\./);
    expect(reply).toMatch(/What is your organisation's postcode\?/);
    // Nothing was taken from it: the postcode is still to be given.
    expect(await t.ask('LS6 1BN')).toMatch(/These care providers are registered at LS6 1BN/);
  });

  it('at the menu, and when asked whether to leave a flow', async () => {
    const t = transcript();
    expect(await t.ask(tooLong)).toMatch(/too long for me to read[\s\S]*What would you like to do\?/);
    for (const said of ['register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue', 'LS6 1BN', 'CPODS2', '1-1002733005', 'CON1-123456789']) await t.say(said);
    expect(await t.ask('cancel')).toMatch(/Cancel this registration\?/);
    expect(await t.ask(tooLong)).toMatch(/too long for me to read[\s\S]*Cancel this registration\?/);
    expect(await t.ask('no')).toMatch(/Carrying on: nothing was lost/);
  });

  it('in a card: a field of a form that long is not read either', async () => {
    const t = transcript('msteams');
    for (const said of ['register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue']) await t.say(said);
    const replies = await t.submit({ action: 'answer', postcode: 'x'.repeat(5_000) });
    expect(replies.map((r) => r.text ?? r.summary).join('\n')).toMatch(/too long for me to read \(5,000 characters/);
  });

  it('up to the limit a message is read as usual', async () => {
    const t = transcript();
    for (const said of ['register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue']) await t.say(said);
    expect(await t.ask(`LS6 1BN${' '.repeat(MAX_MESSAGE_CHARACTERS - 7)}`)).toMatch(/These care providers are registered at LS6 1BN/);
  });
});

describe('an NHSmail address typed with markdown in it is shown as typed (escaped), not rendered', () => {
  // Before: "For jane_x_@nhs.net: can you get text messages…" showed "x" in italics on Teams, and an
  // address refused as not NHSmail was quoted back raw ("**zqx**@evil.com is not…").
  const atAddress = async () => {
    const t = transcript();
    await t.say('I forgot my password');
    await t.say("I can't answer my security questions");
    return t;
  };

  it('accepted: the question that names it', async () => {
    const t = await atAddress();
    const reply = await t.ask('jane_x_@nhs.net');
    expect(reply).toContain('For jane\\_x\\_@nhs.net: can you get text messages');
    expect(unescapedAround(reply, 'x')).toEqual([]);
  });

  it('refused: the message that quotes it', async () => {
    const t = await atAddress();
    const reply = await t.ask('**zqx**@evil.com');
    expect(reply).toContain('\\*\\*zqx\\*\\*@evil.com is not an NHSmail address');
    expect(unescapedAround(reply, 'zqx')).toEqual([]);
  });
});

describe("the campaign's check for markup shown unescaped", () => {
  it.each([
    ['**zqx1**', ['**zqx1**'.slice(0, 6)]],
    ['You typed **zqx1** here', ['You typed **zqx1', 'zqx1** here']],
    ['[zqx1](https://evil.example)', ['[zqx1', 'zqx1](https://']],
    ['<b>zqx1</b>', ['<b>zqx1', 'zqx1</b>']],
  ])('finds %j', (text, found) => {
    expect(unescapedAround(text, 'zqx1').length).toBeGreaterThan(0);
    expect(unescapedAround(text, 'zqx1').join(' ')).toContain(found[0]!.slice(-4));
  });

  it.each(['\\*\\*zqx1\\*\\*', '**\\*\\*zqx1\\*\\***', 'For zqx1@nhs.net', '\\[zqx1\\](https://evil.example)', '\\<b\\>zqx1\\</b\\>', 'zqx1'])('passes %j', (text) => {
    expect(unescapedAround(text, 'zqx1')).toEqual([]);
  });
});

describe('a Teams channel that refuses the typing indicator', () => {
  // Before: the typing indicator, sent before the turn, failed the whole turn: a 500, nothing
  // done. Now it is only a courtesy; the turn is saved and its replies kept for a redelivery (as
  // for any reply the channel refuses).
  let bot: RunningBot;
  let teams: LocalChannel;

  beforeAll(async () => {
    [bot, teams] = await Promise.all([startBot(), LocalChannel.start({ channelId: 'msteams' })]);
  }, scaled(30_000));
  afterAll(async () => {
    await teams?.close();
    await bot?.close();
  });

  it('does not fail the turn: 200, the answer taken, and the redelivery gets the reply', async () => {
    const id = `a:${randomUUID()}`;
    const nobody = `http://127.0.0.1:${await freePort()}/`;
    const personal = { conversation: { id, conversationType: 'personal' } };
    const lost = teams.message(id, 'register', { ...personal, serviceUrl: nobody });
    const sent = await teams.send(bot.url, lost);
    expect(sent.status).toBe(200);
    const again = await teams.send(bot.url, { ...lost, serviceUrl: teams.serviceUrl });
    expect(again.replies.map((r) => r.text ?? r.summary).join('\n')).toMatch(/What kind of organisation are you registering\?/);
  });
});

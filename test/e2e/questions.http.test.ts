import { randomUUID } from 'node:crypto';
import type { NasRequestOf } from '../../adapters/nasRequests';
import { londonDay } from '../../adapters/serviceEvents';
import { LocalChannel, SendResult } from '../../bench/localChannel';
import { buttons, Chat, lastText, RunningBot, startBot, texts } from '../helpers/bot';

/**
 * Questions in the user's own words over HTTP, as a channel talks to the bot (SPEC §4): free text
 * at the menu answered from the guides, with "was this helpful?" counted per entry; a question in
 * the middle of the registration answered and the same question asked again, the registration
 * carrying on as if nothing had been asked; "why do you need that?" and "I don't know" at a field;
 * two misses in a row, or "talk to a person", hand the question to NAS as a request with its
 * reference, the recent turns without personal data, and who is there now.
 */

const TOKEN = 'questions-test-token-0123456789abcdef';
const all = (result: SendResult) => texts(result).join('\n');
const QST = /QST-[A-HJ-NP-Z2-9]{8}/;
const WHO_IS_THERE = /The National Administration Service \(careadmin@nhs\.net\) is (open now, until 5pm today|closed|not open yet)[\s\S]*national helpdesk is open now[\s\S]*0333 200 1133/;

describe('questions in the user’s own words, over HTTP', () => {
  let bot: RunningBot;
  let channel: LocalChannel;
  const newChat = async () => {
    const chat = new Chat(channel, bot.url, `conv-${randomUUID()}`);
    await chat.start();
    return chat;
  };

  beforeAll(async () => {
    channel = await LocalChannel.start({ channelId: 'emulator' });
    bot = await startBot({ NAS_API_TOKENS: `care:${TOKEN}` });
  });

  afterAll(async () => {
    await bot?.close();
    await channel?.close();
  });

  describe('at the menu', () => {
    it.each([
      ['how do i set up an out of office', /automatic reply/],
      ['whats a dspt', /Data Security and Protection Toolkit \(DSPT\)/],
      ['signiture on my emails?', /signature/i],
      ['how long does the otp last', /21 days for a care provider and 14 days for a dental practice/],
      ['can we have two shared mailbox owners', /owner/],
      ['how do i aktivate my acount', /activat/i],
    ])('%j is answered from the guides, then asked whether it helped', async (question, answer) => {
      const chat = await newChat();
      const result = await chat.say(question);
      expect(all(result)).toMatch(answer);
      expect(lastText(result)).toBe('Was this helpful?');
      expect(buttons(result)).toEqual(['Yes', 'No']);
    });

    it('names both NAS teams while the kind is not known', async () => {
      const chat = await newChat();
      expect(all(await chat.say('what does NAS do?'))).toMatch(/careadmin@nhs\.net \(for care providers\) or dentistadmin@nhs\.net \(for dental practices\)/);
    });

    it('counts "was this helpful?" per entry for the back office', async () => {
      const chat = await newChat();
      await chat.say('how do i set up an out of office');
      expect(all(await chat.say('yes'))).toMatch(/Thank you/);
      await chat.say('how do i add a signature');
      const sorry = await chat.say('no');
      expect(all(sorry)).toMatch(/Sorry that did not help/);
      expect(buttons(sorry)).toContain('Talk to a person');
      await bot.assistant.events.flush();
      const day = londonDay(Date.now());
      const { counters } = await bot.assistant.events.counts({ from: day, to: day });
      const count = (name: string, detail: string) => counters.filter((c) => c.name === name && c.detail === detail).reduce((n, c) => n + c.count, 0);
      expect(count('questionAnswered', 'out-of-office')).toBeGreaterThanOrEqual(1);
      expect(count('answerHelpful', 'out-of-office')).toBeGreaterThanOrEqual(1);
      expect(count('answerNotHelpful', 'signature')).toBeGreaterThanOrEqual(1);
      // The back office's figures: a row per entry, by its title.
      const stats = (await (await fetch(`${bot.url}/nas/api/stats?from=${day}&to=${day}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { answers: { entry: string; title?: string; answered: number; helpful: number; notHelpful: number }[] };
      expect(stats.answers).toEqual(expect.arrayContaining([expect.objectContaining({ entry: 'out-of-office', title: 'Setting an out-of-office reply', helpful: expect.any(Number) })]));
      const signature = stats.answers.find((a) => a.entry === 'signature')!;
      expect(signature.notHelpful).toBeGreaterThanOrEqual(1);
      expect(signature.answered).toBeGreaterThanOrEqual(1);
    });

    it('offers the closest topics when unsure, and a pressed topic is answered', async () => {
      const chat = await newChat();
      const unsure = await chat.say('passcode');
      expect(lastText(unsure)).toMatch(/Did you mean one of these\?/);
      const offered = buttons(unsure);
      expect(offered).toHaveLength(4);
      expect(offered.at(-1)).toBe('None of these');
      const answered = await chat.say(offered[0]!);
      expect(lastText(answered)).toBe('Was this helpful?');
    });

    it.each([
      ['I need to register Oakhaven Court, CM1 8FS', /check 1 of 6/],
      ['I forgot my password', /^Password and account help\./],
      ['Jane has left', /Staff changes[\s\S]*NHSmail address/],
      ['any news on my registration?', /reference/],
    ])('%j goes where it asks', async (text, where) => {
      const chat = await newChat();
      expect(all(await chat.say(text))).toMatch(where);
    });
  });

  describe('in the middle of the registration', () => {
    async function atPostcode(chat: Chat): Promise<SendResult> {
      const result = await chat.answers('register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue');
      expect(lastText(result)).toMatch(/What is your organisation's postcode\?/);
      return result;
    }

    it('a question is answered and the same question asked again; the registration carries on untouched', async () => {
      const chat = await newChat();
      const asked = lastText(await atPostcode(chat));
      const answered = await chat.say('how long does the passcode last?');
      expect(texts(answered)[0]).toMatch(/^A one-time passcode lasts 21 days/);
      expect(all(answered)).toMatch(/Was this helpful\? Say "helpful" or "not helpful"/);
      expect(lastText(answered)).toBe(asked);
      expect(all(await chat.say('helpful'))).toMatch(/Thank you[\s\S]*What is your organisation's postcode\?/);
      // The registration never saw the question: the postcode is taken as if nothing had been asked.
      expect(lastText(await chat.say('LS6 1BN'))).toMatch(/registered at LS6 1BN/);
      expect(lastText(await chat.say('CPODS2'))).toMatch(/CQC location ID\?/);
    });

    it('"why do you need that?" and "I don\'t know" explain the field, then ask it again', async () => {
      const chat = await newChat();
      const asked = lastText(await atPostcode(chat));
      const why = await chat.say('why do you need that?');
      expect(texts(why)[0]).toBe('It finds the organisations registered there, so you can pick yours.');
      expect(lastText(why)).toBe(asked);
      const where = await chat.say("I don't know");
      expect(texts(where)[0]).toMatch(/postcode of the site's address/);
      expect(lastText(where)).toBe(asked);
    });

    it('a greeting shows where the user is, a dental practice is told dentistadmin', async () => {
      const chat = await newChat();
      await chat.answers('register', 'dental');
      const hello = await chat.say('hello');
      expect(all(hello)).toMatch(/Here is where we are[\s\S]*check 2 of 6/);
      const answer = all(await chat.say('who do i email about our accounts?'));
      expect(answer).toMatch(/dentistadmin@nhs\.net/);
      expect(answer).not.toMatch(/careadmin@nhs\.net/);
    });
  });

  describe('to a person', () => {
    it('two misses in a row make a question request for NAS, with the recent turns and no personal data', async () => {
      const chat = await newChat();
      const first = await chat.say('my printer keeps jamming');
      expect(texts(first)[0]).toMatch(/did not understand/);
      const handed = await chat.say('the printer in the office for Jane Smith is still broken, her mobile is 07700 900123');
      const text = all(handed);
      expect(text).toMatch(/passed your question to a person at the National Administration Service/);
      expect(text).toMatch(WHO_IS_THERE);
      const reference = QST.exec(text)![0];
      const request = (await bot.assistant.adapters.requests.get(reference)) as NasRequestOf<'question'>;
      expect(request).toMatchObject({ kind: 'question', queue: 'care', status: 'received', details: { reason: 'notUnderstood' } });
      expect(request.details.question).toMatch(/printer in the office for \[name\] is still broken, her mobile is \[phone\]/);
      expect(request.details.recentTurns).toEqual(expect.arrayContaining([{ from: 'user', text: 'my printer keeps jamming' }]));
      expect(JSON.stringify(request)).not.toMatch(/Jane|Smith|07700/);
    });

    it('"talk to a person" asks what to pass on, then makes the request; in a flow, with where it was', async () => {
      const chat = await newChat();
      await chat.answers('register', 'care provider');
      const asked = await chat.say('can I talk to a person please');
      expect(all(asked)).toMatch(/What would you like to ask them\?/);
      const handed = await chat.say('do we need a toolkit if we only have two staff');
      const reference = QST.exec(all(handed))![0];
      expect(lastText(handed)).toMatch(/check 2 of 6/);
      const request = (await bot.assistant.adapters.requests.get(reference)) as NasRequestOf<'question'>;
      expect(request.details).toMatchObject({ question: 'do we need a toolkit if we only have two staff', reason: 'asked', organisationKind: 'care' });
      expect(request.details.where).toMatch(/^Register my organisation for NHSmail/);
      expect(request.requester.conversationKey).toEqual(expect.any(String));
    });
  });
});

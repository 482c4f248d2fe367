import { randomUUID } from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { LocalChannel, SendResult } from '../../bench/localChannel';
import { buttons, Chat, checkNumber, lastText, RunningBot, startBot, texts } from '../helpers/bot';
import { FLOWS } from '../../bot/flows';

/**
 * The bot over HTTP, in this process, with conversations in memory: a local Bot Framework
 * channel posts activities to /api/messages and receives the replies on its serviceUrl.
 */

const MENU_BUTTON = 'Register my organisation for NHSmail';
/** The menu: one button for each flow, in the flow list's order. */
const MENU = FLOWS.map((flow) => flow.dialog.menuLabel);
const RESUME_BUTTON = 'Carry on: Register my organisation for NHSmail';
/** Buttons every stop and the summary offer (among others). */
const STEP_BUTTONS = ['Back', 'Start again'];
const NOT_UNDERSTOOD = 'Sorry, I did not understand that.';

describe('the bot over HTTP (memory state)', () => {
  let bot: RunningBot;
  let channel: LocalChannel;

  const newChat = () => new Chat(channel, bot.url, `conv-${randomUUID()}`);

  /** Presses a button the bot just offered: sends the button's value, as a channel does. */
  async function press(chat: Chat, previous: SendResult, label: string): Promise<SendResult> {
    expect(buttons(previous)).toContain(label);
    return chat.say(label);
  }

  /** Opens a conversation and starts the registration from the menu button. */
  async function startRegistration(chat: Chat): Promise<SendResult> {
    const opened = await chat.start();
    const started = await press(chat, opened, MENU_BUTTON);
    expect(checkNumber(started)).toBe(1);
    return started;
  }

  beforeAll(async () => {
    channel = await LocalChannel.start();
    bot = await startBot();
  });

  afterAll(async () => {
    await bot?.close();
    await channel?.close();
  });

  describe('opening a conversation', () => {
    it('greets on conversationUpdate and shows the menu, delivered to the serviceUrl', async () => {
      const chat = newChat();
      const activity = channel.conversationStart(chat.id);
      const result = await chat.post(activity);

      expect(result.status).toBe(200);
      // One message on the phone: the greeting, then the menu.
      expect(result.replies).toHaveLength(1);
      const [greeting, menu] = texts(result);
      expect(greeting).toMatch(/^Hello, I'm the NHSmail care assistant/);
      expect(greeting).toContain('"help", "back", "menu", "cancel" or "start again"');
      expect(menu).toBe('What would you like to do?');
      expect(buttons(result)).toEqual(MENU);
      for (const reply of result.replies) {
        expect(reply.conversation?.id).toBe(chat.id);
        expect(reply.replyToId).toBe(activity.id);
        expect(reply.serviceUrl).toBe(channel.serviceUrl);
      }
      // Everything the channel received for this conversation is exactly that message.
      expect(channel.transcript(chat.id)).toHaveLength(1);
    });

    it('does not greet when only the bot joins', async () => {
      const chat = newChat();
      const result = await chat.post(
        channel.activity(chat.id, { type: 'conversationUpdate', membersAdded: [{ id: 'bot', name: 'Bot' }] }),
      );
      expect(result.status).toBe(200);
      expect(result.replies).toHaveLength(0);
    });

    it('greets a user who says hello first, and starts the registration by typed word', async () => {
      const chat = newChat();
      const hello = await chat.say('Hello!');
      expect(texts(hello)[0]).toMatch(/^Hello, I'm the NHSmail care assistant/);
      expect(buttons(hello)).toEqual(MENU);

      const started = await chat.say('register');
      expect(texts(started)[0]).toMatch(/^Registering takes about 10 minutes/);
      expect(checkNumber(started)).toBe(1);
      expect(buttons(started)).toEqual(['Care provider', 'Dental practice', 'Hospice']);
    });
  });

  describe('the questionnaire to the route summary', () => {
    const routes: { name: string; answers: string[]; byButton: boolean; expected: string[]; absent?: string[] }[] = [
      {
        name: 'a care provider pressing buttons, passcode by email',
        byButton: true,
        answers: ['Care provider', 'No', 'Yes', 'No', 'No', 'Email'],
        expected: [
          '• Organisation: Care provider',
          '• DSPT published: yes',
          '• Passcode to be sent by: email',
          "We will email a one-time passcode to the registered manager's email address",
          'The passcode is valid for 21 days.',
        ],
      },
      {
        name: 'a care provider typing words, passcode by post',
        byButton: false,
        answers: ['care', 'nope', 'y', 'N', 'nah', 'post'],
        expected: [
          '• Organisation: Care provider',
          '• NHSmail account of your own: no',
          '• Valid one-time passcode received: no',
          '• CQC contact ID known: no',
          '• Passcode to be sent by: post',
          'We will post a one-time passcode to your CQC-registered address. It is valid for 21 days',
        ],
      },
      {
        name: 'a dental practice typing words, with a passcode in hand',
        byButton: false,
        answers: ['dentist', 'no', 'yeah!', 'Yes', 'N'],
        expected: [
          '• Organisation: Dental practice',
          '• IG Toolkit or DSPT submitted: yes',
          '• Valid one-time passcode received: yes',
          'You will verify with the one-time passcode you have received (it is valid for 14 days after it was issued).',
        ],
        absent: ['Passcode to be sent by'],
      },
      {
        name: 'a dental practice pressing buttons, with a CQC contact ID',
        byButton: true,
        answers: ['Dental practice', 'No', 'Yes', 'No', 'Yes'],
        expected: ['• Organisation: Dental practice', '• CQC contact ID known: yes', 'You will verify with your CQC contact ID'],
        absent: ['Passcode to be sent by', 'We will'],
      },
      {
        name: 'a care provider typing the buttons’ numbers',
        byButton: false,
        answers: ['1', '2', '1', '2', '2', '1'],
        expected: ['• Organisation: Care provider', '• Passcode to be sent by: email', 'We will email a one-time passcode'],
      },
    ];

    it.each(routes)('$name', async ({ answers, byButton, expected, absent }) => {
      const chat = newChat();
      let result = await startRegistration(chat);
      for (const [index, answer] of answers.entries()) {
        expect(checkNumber(result)).toBe(index + 1);
        result = byButton ? await press(chat, result, answer) : await chat.say(answer);
        expect(texts(result).join('\n')).not.toContain('Sorry');
      }
      const summary = lastText(result);
      expect(summary).toMatch(/^Before you start · all checks done\./);
      for (const text of expected) expect(summary).toContain(text);
      for (const text of absent ?? []) expect(summary).not.toContain(text);
      expect(buttons(result)).toEqual(expect.arrayContaining(STEP_BUTTONS));
    });
  });

  describe('the stops', () => {
    const stops: { name: string; answers: string[]; backShows: string; expected: string[]; absent: string[] }[] = [
      {
        name: 'a hospice',
        answers: ['Hospice'],
        backShows: 'Hospice',
        expected: ['Hospices cannot join NHSmail through this registration route', 'helpdesk@nhs.net', '0333 200 1133'],
        absent: ['careadmin@nhs.net', 'dentistadmin@nhs.net'],
      },
      {
        name: 'a care provider whose registrant already has an account',
        answers: ['Care provider', 'Yes'],
        backShows: 'yes',
        expected: ['duplicate NHSmail account', 'shared mailbox owner', 'careadmin@nhs.net'],
        absent: ['dentistadmin@nhs.net'],
      },
      {
        name: 'a dental practice whose registrant already has an account',
        answers: ['Dental practice', 'Yes'],
        backShows: 'yes',
        expected: ['duplicate NHSmail account', 'dentistadmin@nhs.net'],
        absent: ['careadmin@nhs.net'],
      },
      {
        name: 'a care provider without a published DSPT',
        answers: ['Care provider', 'No', 'No'],
        backShows: 'no',
        expected: ['"Approaching Standards"', 'exeter.helpdesk@nhs.net', 'careadmin@nhs.net'],
        absent: ['dentistadmin@nhs.net', 'IG Toolkit'],
      },
      {
        name: 'a dental practice without an IG Toolkit return or DSPT',
        answers: ['Dental practice', 'No', 'No'],
        backShows: 'no',
        expected: ['IG Toolkit return (version 14.1, level 2) or a DSPT', 'exeter.helpdesk@nhs.net', 'dentistadmin@nhs.net'],
        absent: ['careadmin@nhs.net'],
      },
    ];

    it.each(stops)('stops $name with the right contact, and "back" leaves the stop', async ({ answers, backShows, expected, absent }) => {
      const chat = newChat();
      let result = await startRegistration(chat);
      const lastQuestion: string[] = [];
      for (const answer of answers) {
        lastQuestion.push(lastText(result));
        result = await press(chat, result, answer);
      }
      const stop = lastText(result);
      expect(stop).toMatch(/^Before you start · this route is not for you\n/);
      for (const text of expected) expect(stop).toContain(text);
      for (const text of absent) expect(stop).not.toContain(text);
      expect(buttons(result)).toEqual(expect.arrayContaining(STEP_BUTTONS));

      // Nothing typed at a stop moves it on.
      const garbage = await chat.say('yes');
      expect(texts(garbage)[0]).toContain(NOT_UNDERSTOOD);
      expect(lastText(garbage)).toBe(stop);

      // "Back" returns to the question that led here, showing the answer given.
      const back = await press(chat, garbage, 'Back');
      expect(texts(back)[0]).toBe(`Going back. Last time you answered: ${backShows}.`);
      expect(lastText(back)).toBe(lastQuestion[lastQuestion.length - 1]);
    });
  });

  describe('answers that do not fit', () => {
    it('re-asks the same question for garbage at every question, and never advances', async () => {
      const chat = newChat();
      let result = await startRegistration(chat);
      const answers = ['Care provider', 'No', 'Yes', 'No', 'No', 'Post'];
      const garbage = ['purple elephant', 'maybe', '7', 'Email', 'Hospice', 'yes'];
      for (const [index, answer] of answers.entries()) {
        const question = lastText(result);
        const offered = buttons(result);
        for (const nonsense of [garbage[index]!, '   ', '!!!']) {
          const reasked = await chat.say(nonsense);
          expect(texts(reasked)).toHaveLength(2);
          expect(texts(reasked)[0]).toMatch(/^Sorry, I did not understand that\. Please (answer yes or no|choose)/);
          expect(lastText(reasked)).toBe(question);
          expect(buttons(reasked)).toEqual(offered);
          expect(checkNumber(reasked)).toBe(index + 1);
        }
        result = await chat.say(answer);
        expect(checkNumber(result)).toBe(index === answers.length - 1 ? 0 : index + 2);
      }
      expect(lastText(result)).toContain('• Passcode to be sent by: post');
    });

    it('treats a message without text (a card or an attachment) as not understood', async () => {
      const chat = newChat();
      const started = await startRegistration(chat);
      const result = await chat.post(
        channel.activity(chat.id, { type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1/x.png' }] }),
      );
      expect(result.status).toBe(200);
      expect(texts(result)[0]).toContain(NOT_UNDERSTOOD);
      expect(lastText(result)).toBe(lastText(started));
    });

    it('answers garbage at the menu with the menu again', async () => {
      const chat = newChat();
      await chat.start();
      const result = await chat.say('qwerty');
      expect(texts(result)).toEqual([`${NOT_UNDERSTOOD} Please choose an option from the menu, by its name or its number.`, 'What would you like to do?']);
      expect(buttons(result)).toEqual(MENU);
      // A number beyond the menu's options.
      expect(texts(await chat.say(String(MENU.length + 1)))[0]).toContain(NOT_UNDERSTOOD);
    });
  });

  describe('the global commands', () => {
    it('"back" shows the old answer, step by step, and says so at the first question', async () => {
      const chat = newChat();
      await startRegistration(chat);
      const atToolkit = await chat.answers('Dental practice', 'No');
      expect(checkNumber(atToolkit)).toBe(3);

      const back1 = await chat.say('back');
      expect(texts(back1)[0]).toBe('Going back. Last time you answered: no.');
      expect(checkNumber(back1)).toBe(2);
      const back2 = await chat.say('go back');
      expect(texts(back2)[0]).toBe('Going back. Last time you answered: Dental practice.');
      expect(checkNumber(back2)).toBe(1);
      const back3 = await chat.say('back');
      expect(texts(back3)[0]).toBe('This is the first question, so there is nothing to go back to.');
      expect(checkNumber(back3)).toBe(1);

      // Changing an answer after going back takes the new one.
      const changed = await chat.answers('Care provider', 'No');
      expect(lastText(changed)).toContain('Data Security and Protection Toolkit (DSPT) at "Approaching Standards"');

      // From the summary, back goes to the last question that was asked.
      const summary = await chat.answers('yes', 'no', 'no', 'email');
      expect(lastText(summary)).toContain('all checks done');
      const fromSummary = await press(chat, summary, 'Back');
      expect(texts(fromSummary)[0]).toBe('Going back. Last time you answered: Email.');
      expect(checkNumber(fromSummary)).toBe(6);
    });

    it('"cancel" leaves the registration and forgets its answers', async () => {
      const chat = newChat();
      await startRegistration(chat);
      await chat.answers('Care provider', 'No');
      const cancelled = await chat.say('cancel');
      expect(texts(cancelled)).toEqual([
        'Cancelled. Nothing was sent, and nothing you told me in that step was kept.',
        'What would you like to do?',
      ]);
      expect(buttons(cancelled)).toEqual(MENU);

      const again = await press(chat, cancelled, MENU_BUTTON);
      expect(texts(again)[0]).toMatch(/^Registering takes about 10 minutes/);
      expect(checkNumber(again)).toBe(1);
      expect(texts(await chat.say('back'))[0]).toBe('This is the first question, so there is nothing to go back to.');
    });

    it('"menu" keeps the progress and "carry on" returns to the same question', async () => {
      const chat = newChat();
      await startRegistration(chat);
      const atOtp = await chat.answers('Care provider', 'No', 'Yes');
      expect(checkNumber(atOtp)).toBe(4);

      const menu = await chat.say('menu');
      expect(texts(menu)).toEqual(['Menu. What would you like to do? Your progress so far is kept.']);
      expect(buttons(menu)).toEqual([RESUME_BUTTON, ...MENU.slice(1)]);

      // Garbage at this menu shows it again; "help" explains.
      const garbage = await chat.say('banana');
      expect(texts(garbage)[0]).toContain(NOT_UNDERSTOOD);
      expect(buttons(garbage)).toEqual([RESUME_BUTTON, ...MENU.slice(1)]);

      const resumed = await press(chat, garbage, RESUME_BUTTON);
      expect(texts(resumed)[0]).toBe('Carrying on where you left off.');
      expect(lastText(resumed)).toBe(lastText(atOtp));
      expect(texts(await chat.say('back'))[0]).toBe('Going back. Last time you answered: yes.');

      // Pressing the registration entry again also resumes, rather than starting anew.
      await chat.say('menu');
      const viaLabel = await chat.say(MENU_BUTTON);
      expect(texts(viaLabel)[0]).toBe('Carrying on where you left off.');
      expect(checkNumber(viaLabel)).toBe(3);
    });

    it('"start again" begins the questionnaire from the first question', async () => {
      const chat = newChat();
      await startRegistration(chat);
      const atSummary = await chat.answers('Care provider', 'No', 'Yes', 'Yes', 'No');
      expect(lastText(atSummary)).toContain('all checks done');

      const restarted = await press(chat, atSummary, 'Start again');
      expect(texts(restarted)[0]).toBe('Starting again from the beginning.');
      expect(checkNumber(restarted)).toBe(1);
      expect(texts(await chat.say('back'))[0]).toBe('This is the first question, so there is nothing to go back to.');

      const dental = await chat.answers('Dental practice', 'No', 'Yes', 'No', 'No', 'Post');
      const summary = lastText(dental);
      expect(summary).toContain('• Organisation: Dental practice');
      expect(summary).toContain('• Valid one-time passcode received: no');
      expect(summary).toContain('It is valid for 14 days');
    });

    it('"help" explains the current question, or the assistant at the menu, without moving', async () => {
      const chat = newChat();
      await chat.start();
      const general = await chat.say('help');
      expect(texts(general)[0]).toContain('helpdesk@nhs.net');
      expect(texts(general)[0]).toContain('0333 200 1133');
      expect(buttons(general)).toEqual(MENU);

      const atKind = await press(chat, general, MENU_BUTTON);
      const help = await chat.say('help');
      expect(texts(help)[0]).toMatch(/^Care homes and home care \(domiciliary care\) services register as care providers/);
      expect(lastText(help)).toBe(lastText(atKind));

      const atToolkit = await chat.answers('Care provider', 'No');
      const help2 = await chat.say('?');
      expect(texts(help2)[0]).toContain('exeter.helpdesk@nhs.net');
      expect(lastText(help2)).toBe(lastText(atToolkit));
      expect(checkNumber(await chat.say('yes'))).toBe(4);
    });
  });

  describe('garbage requests', () => {
    async function post(body: string | Buffer, contentType?: string, extra: Record<string, string> = {}): Promise<{ status: number; body: string }> {
      const url = new URL(`${bot.url}/api/messages`);
      const headers: Record<string, string> = { ...extra, 'content-length': String(Buffer.byteLength(body)) };
      if (contentType) headers['content-type'] = contentType;
      return new Promise((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    }

    const activity = () => channel.message(`conv-${randomUUID()}`, 'hello');
    const without = (field: string) => {
      const a: Record<string, unknown> = activity();
      delete a[field];
      return JSON.stringify(a);
    };

    const cases: { name: string; body: () => string; contentType?: string; status: number; error: RegExp }[] = [
      { name: 'invalid JSON', body: () => '{"type": "message",', contentType: 'application/json', status: 400, error: /not valid JSON/ },
      { name: 'a JSON array', body: () => JSON.stringify([activity()]), contentType: 'application/json', status: 400, error: /must be a JSON object/ },
      { name: 'a JSON string', body: () => '"message"', contentType: 'application/json', status: 400, error: /must be a JSON object/ },
      { name: 'JSON null', body: () => 'null', contentType: 'application/json', status: 400, error: /empty/ },
      { name: 'an empty body', body: () => '', contentType: 'application/json', status: 400, error: /empty/ },
      { name: 'an empty object', body: () => '{}', contentType: 'application/json', status: 400, error: /no "type"/ },
      { name: 'an activity without type', body: () => without('type'), contentType: 'application/json', status: 400, error: /no "type"/ },
      { name: 'an activity without conversation', body: () => without('conversation'), contentType: 'application/json', status: 400, error: /no "conversation.id"/ },
      {
        name: 'an activity with a numeric conversation id',
        body: () => JSON.stringify({ ...activity(), conversation: { id: 42 } }),
        contentType: 'application/json',
        status: 400,
        error: /no "conversation.id"/,
      },
      { name: 'an activity without serviceUrl', body: () => without('serviceUrl'), contentType: 'application/json', status: 400, error: /no valid "serviceUrl"/ },
      {
        name: 'an activity with a serviceUrl that is not a URL',
        body: () => JSON.stringify({ ...activity(), serviceUrl: 'not a url' }),
        contentType: 'application/json',
        status: 400,
        error: /no valid "serviceUrl"/,
      },
      { name: 'an activity without channelId', body: () => without('channelId'), contentType: 'application/json', status: 400, error: /no "channelId"/ },
      { name: 'a text/plain body', body: () => 'hello bot', contentType: 'text/plain', status: 415, error: /must be JSON/ },
      { name: 'a text/plain body holding an activity', body: () => JSON.stringify(activity()), contentType: 'text/plain', status: 415, error: /must be JSON/ },
      { name: 'a form body', body: () => 'type=message&text=hi', contentType: 'application/x-www-form-urlencoded', status: 415, error: /must be JSON/ },
      {
        name: 'a body over 256 KiB',
        body: () => JSON.stringify(channel.message('big', 'x'.repeat(257 * 1024))),
        contentType: 'application/json',
        status: 413,
        error: /larger than 256 KiB/,
      },
      { name: 'a body over 256 KiB that is not even JSON', body: () => 'x'.repeat(300 * 1024), contentType: 'application/json', status: 413, error: /larger than 256 KiB/ },
    ];

    it.each(cases)('answers $name with $status and a reason', async ({ body, contentType, status, error }) => {
      const response = await post(body(), contentType);
      expect(response.status).toBe(status);
      expect(JSON.parse(response.body).error).toMatch(error);
    });

    it('keeps serving after every kind of garbage', async () => {
      for (const c of cases) {
        const response = await post(c.body(), c.contentType);
        expect(response.status).toBeLessThan(500);
      }
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      const chat = newChat();
      const started = await startRegistration(chat);
      expect(buttons(started)).toEqual(['Care provider', 'Dental practice', 'Hospice']);
    });

    it('refuses a compressed body, which could otherwise expand far past the 256 KiB limit', async () => {
      // restify's bodyReader counts compressed bytes against maxBodySize: a few KiB of gzip
      // would expand to megabytes.
      const big = JSON.stringify(channel.message(`conv-${randomUUID()}`, 'a'.repeat(4 * 1024 * 1024)));
      const gzipped = zlib.gzipSync(big);
      expect(gzipped.length).toBeLessThan(64 * 1024);
      const response = await post(gzipped, 'application/json', { 'content-encoding': 'gzip' });
      expect(response.status).toBe(415);
      expect(JSON.parse(response.body).error).toMatch(/compressed bodies are not accepted/);
    });
  });

  describe('probes', () => {
    it('GET /healthz and GET /readyz answer 200', async () => {
      const health = await fetch(`${bot.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${bot.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    });
  });

  describe('redelivery', () => {
    it('processes a redelivered activity (same id, same conversation) once', async () => {
      const chat = newChat();
      await startRegistration(chat);
      const atExisting = await chat.say('Care provider');
      expect(checkNumber(atExisting)).toBe(2);

      const answer = chat.message('No');
      const first = await chat.post(answer);
      expect(first.status).toBe(200);
      expect(checkNumber(first)).toBe(3);

      // The channel did not see the 200 and sends the very same activity again.
      const again = await chat.post({ ...answer });
      expect(again.status).toBe(200);
      expect(again.replies).toHaveLength(0);

      // Processed twice, "No" would have been the toolkit answer too (a stop); it was not.
      const next = await chat.say('what?');
      expect(texts(next)[0]).toContain(NOT_UNDERSTOOD);
      expect(checkNumber(next)).toBe(3);
      expect(texts(await chat.say('back'))[0]).toBe('Going back. Last time you answered: no.');
    });

    it('processes the same activity id in another conversation', async () => {
      const a = newChat();
      const b = newChat();
      const id = `shared-${randomUUID()}`;
      const first = await a.post(channel.message(a.id, 'register', { id }));
      const second = await b.post(channel.message(b.id, 'register', { id }));
      expect(checkNumber(first)).toBe(1);
      expect(checkNumber(second)).toBe(1);
    });
  });

  describe('with Bot Framework authentication configured', () => {
    let secured: RunningBot;
    let consoleError: jest.SpyInstance;

    beforeAll(async () => {
      // CloudAdapter writes every rejected request to console.error.
      consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      secured = await startBot({ MicrosoftAppId: randomUUID(), MicrosoftAppPassword: 'not-a-real-secret' });
    });

    afterAll(async () => {
      await secured?.close();
      consoleError?.mockRestore();
    });

    it.each([
      ['no Authorization header', {}],
      ['a bogus Bearer token', { authorization: 'Bearer bogus' }],
      ['a Basic credential', { authorization: 'Basic dXNlcjpwYXNz' }],
    ])('answers a POST with %s with 401 and does not reply', async (_name, headers: Record<string, string>) => {
      const conversationId = `conv-${randomUUID()}`;
      const result = await channel.send(secured.url, channel.message(conversationId, 'register'), headers);
      expect(result.status).toBe(401);
      expect(result.replies).toHaveLength(0);
      expect(channel.transcript(conversationId)).toHaveLength(0);
    });

    it('still answers the probes', async () => {
      expect((await fetch(`${secured.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${secured.url}/readyz`)).status).toBe(200);
    });
  });
});

import { passwordHelpDialog, problemText, PASSWORD_HELP_STEPS } from '../../dialogs/passwordHelp';
import { passwordHelpStart } from '../../dialogs/passwordHelp/explainSteps';
import { displayMobile, ownerAskedEmail, resetCodeText } from '../../dialogs/passwordHelp/messages';
import { isVagueAccountTrouble, nhsmailAddress, readTopic, resetCode, vouchCode } from '../../dialogs/passwordHelp/read';
import { findPasswords } from '../../dialogs/passwordSafety';
import { RAISED, T0, startHelp } from '../machines/passwordHelpDriver';

describe('what people type: what is happening', () => {
  it.each([
    ['I forgot my password', 'forgotten'],
    ['forgotten password', 'forgotten'],
    ['i forgot my pasword', 'forgotten'],
    ['forgot passwrd', 'forgotten'],
    ['i forgot my passowrd', 'forgotten'],
    ['whats the pw rules', 'passwordRules'],
    ["can't remember my password!!", 'forgotten'],
    ['my password is not working', 'forgotten'],
    ['password expired', 'forgotten'],
    ['need to reset my password', 'forgotten'],
    ['my account is locked', 'locked'],
    ["I'm locked out", 'locked'],
    ['it says account disabled', 'locked'],
    ['i forgot my password and now im locked out', 'locked'],
    ['never got my temporary password', 'temporaryPasswordMissing'],
    ["I haven't received the temp password text", 'temporaryPasswordMissing'],
    ['the temporary password text never came', 'temporaryPasswordMissing'],
    ["didn't get a text", 'temporaryPasswordMissing'],
    ['how do I activate my account', 'notActivated'],
    ['first time logging in', undefined],
    ['first login', 'notActivated'],
    ['my account is inactive', 'inactive'],
    ["I haven't used my account for months", 'inactive'],
    ['what are the password rules', 'passwordRules'],
    ['how long does my password have to be', 'passwordRules'],
    ['how do I hide my mobile number', 'mobileInDirectory'],
    ['can people see my phone number in the directory', 'mobileInDirectory'],
    ['vouch 7KD9-QX2P-M4TN', 'vouch'],
    ['hello', undefined],
    ['register my care home', undefined],
  ])('%s → %s', (text, topic) => {
    expect(readTopic(text)).toBe(topic);
  });

  it.each([["I can't log in", true], ['cannot sign in', true], ['login problems', true], ['I want to register', false], ['hello', false]])(
    'a vague start: %s → %s',
    (text, vague) => {
      expect(isVagueAccountTrouble(text)).toBe(vague);
    },
  );

  it('free text at the menu starts password help where it says, or at the question', () => {
    expect(passwordHelpStart('I forgot my password')).toEqual({ topic: 'forgotten' });
    expect(passwordHelpStart("I can't log in")).toEqual({});
    expect(passwordHelpStart('what is DSPT?')).toBeUndefined();
  });
});

describe('an NHSmail address', () => {
  it.each([
    ['jane.smith@nhs.net', 'jane.smith@nhs.net'],
    ['  Jane.Smith@NHS.net ', 'jane.smith@nhs.net'],
    ["it's amy.pearce@nhs.net thanks", 'amy.pearce@nhs.net'],
    ['amy.pearce@nhs.net.', 'amy.pearce@nhs.net'],
    ['mailto:amy.pearce@nhs.net', 'amy.pearce@nhs.net'],
    ['amy.pearce', 'amy.pearce@nhs.net'],
    ['<amy.pearce5@nhs.net>', 'amy.pearce5@nhs.net'],
  ])('%s is %s', (text, address) => {
    expect(nhsmailAddress(text)).toEqual({ ok: true, value: address });
  });

  it.each([
    ['jane@gmail.com', /jane@gmail.com is not an NHSmail address: NHSmail addresses end @nhs.net/],
    ['jane.smith@nhs.uk', /not an NHSmail address/],
    ['jane..smith@nhs.net', /not a valid NHSmail address/],
    ['jane', /Please type the NHSmail address/],
    ['', /Please type the NHSmail address/],
  ])('%s is refused: %s', (text, message) => {
    const result = nhsmailAddress(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});

describe('codes', () => {
  it.each([
    ['246810', '246810'],
    ['246 810', '246810'],
    ['246-810', '246810'],
    ['the code is 246810', '246810'],
  ])('reset code %s → %s', (text, code) => {
    expect(resetCode(text)).toEqual({ ok: true, value: code });
  });

  it('a code of the wrong length is said to be wrong; no digits is not a code', () => {
    expect(resetCode('24681')).toEqual({ ok: false, error: 'The code has 6 digits; 24681 has 5. Please type it again.' });
    expect(resetCode('1234567')).toMatchObject({ ok: false });
    expect(resetCode('send it again')).toBeUndefined();
  });

  it.each([
    ['vouch 7KD9-QX2P-M4TN', '7KD9QX2PM4TN'],
    ['7kd9 qx2p m4tn', '7KD9QX2PM4TN'],
    ['VOUCH 7KD9QX2PM4TN please', '7KD9QX2PM4TN'],
  ])('vouching code %s → %s', (text, code) => {
    expect(vouchCode(text)).toBe(code);
  });

  it('a vouching code has 12 characters of the passcode alphabet', () => {
    expect(vouchCode('vouch 7KD9-QX2P')).toBeUndefined();
    expect(vouchCode('vouch 0OI1-QX2P-M4TN')).toBeUndefined();
    expect(vouchCode('hello there')).toBeUndefined();
  });
});

describe('what the service sends', () => {
  it('the text with the code, and the owner’s email: no link, no password asked for', () => {
    const text = resetCodeText('246810');
    expect(text).toContain('246810');
    expect(text).toContain('10 minutes');
    const email = ownerAskedEmail({
      owner: 'Priya Raman',
      code: '7KD9-QX2P-M4TN',
      vouch: {
        id: 'V',
        address: 'joseph.achebe@nhs.net',
        account: { address: 'joseph.achebe@nhs.net', name: 'Joseph Achebe', odsCode: 'VLH01', organisationName: 'Larkspur House', queue: 'care' },
        mobile: '+447400123456',
        requester: { conversationKey: 'k', conversationReference: null, channelId: 'webchat' },
        attemptId: 'a',
        owners: [],
        createdAt: T0,
        expiresAt: T0 + 72 * 3_600_000,
      },
    });
    expect(email.body).toContain('vouch 7KD9-QX2P-M4TN');
    expect(email.body).toContain('07400 123456');
    expect(email.body).toContain('Saturday 5 December at 10am');
    for (const body of [text, email.body, email.subject]) {
      expect(body).not.toMatch(/https?:\/\/|www\./);
      expect(body).not.toMatch(/(?:type|give|send|tell) (?:us |me )?your password/i);
    }
    expect(displayMobile('+447400123456')).toBe('07400 123456');
  });
});

/** Every prompt of every step, for a context that has what that step needs. */
async function everyPrompt() {
  const texts: string[] = [];
  const visit = async (drive: (h: ReturnType<typeof startHelp>) => Promise<void>, options: Parameters<typeof startHelp>[0] = {}, input = {}) => {
    const help = startHelp(options, input);
    await help.settled();
    await drive(help);
    const reply = passwordHelpDialog.prompt(help.snapshot);
    texts.push(reply.text, ...(reply.choices ?? []), passwordHelpDialog.hint(help.snapshot), passwordHelpDialog.help(help.snapshot));
  };
  for (const topic of ['forgotten', 'locked', 'notActivated', 'temporaryPasswordMissing', 'inactive', 'passwordRules', 'mobileInDirectory', 'reset', 'vouch'] as const) {
    await visit(async () => undefined, {}, { start: { topic } });
  }
  await visit(async () => undefined);
  for (const address of ['amy.pearce@nhs.net', 'david.price@nhs.net', 'nobody@nhs.net']) {
    await visit(async (h) => void (await h.answer('address', address)), {}, { start: { topic: 'locked' } });
  }
  const atCode = async (h: ReturnType<typeof startHelp>) => {
    await h.answer('address', 'amy.pearce@nhs.net');
    await h.answer('canReceiveTexts', true);
  };
  await visit(atCode, {}, { start: { topic: 'reset' } });
  await visit(async (h) => void (await h.answer('address', 'amy.pearce@nhs.net')), {}, { start: { topic: 'reset' } });
  await visit(async (h) => (await atCode(h), void (await h.answer('code', '246810'))), {}, { start: { topic: 'reset' } });
  await visit(async (h) => (await atCode(h), void (await h.answer('code', '111111'))), { check: [{ result: 'locked', lockedUntil: T0 + 3_600_000 }] }, { start: { topic: 'reset' } });
  await visit(atCode, { send: [{ sent: false, ending: '033', reason: 'dailyLimit', nextAllowedAt: T0 + 3_600_000 }] }, { start: { topic: 'reset' } });
  await visit(async (h) => (await atCode(h), void (await h.answer('code', '246810'))), { fail: { submitReset: true } }, { start: { topic: 'reset' } });
  const existing = { reference: 'PWD-AAAA2222', status: 'inProgress' as const, createdAt: T0 };
  await visit(async (h) => (await atCode(h), void (await h.answer('code', '246810'))), { submit: [{ outcome: 'alreadyRequested', existing, queue: 'care' }] }, { start: { topic: 'reset' } });
  await visit(async (h) => (await atCode(h), void (await h.answer('code', '246810'))), { submit: [{ outcome: 'leaver', markedOn: '2026-11-20', queue: 'care' }] }, { start: { topic: 'reset' } });
  const owner = async (h: ReturnType<typeof startHelp>) => {
    await h.answer('address', 'joseph.achebe@nhs.net');
    await h.answer('canReceiveTexts', false);
  };
  await visit(owner, {}, { start: { topic: 'reset' } });
  await visit(async (h) => (await owner(h), void (await h.answer('mobile', '+447400123456'))), {}, { start: { topic: 'reset' } });
  await visit(async (h) => (await owner(h), await h.answer('mobile', '+447400123456'), void (await h.send({ type: 'CHECK' }))), { status: [{ status: 'refused', at: T0 }] }, { start: { topic: 'reset' } });
  await visit(async (h) => (await owner(h), await h.answer('mobile', '+447400123456'), void (await h.send({ type: 'CHECK' }))), { status: [{ status: 'expired' }] }, { start: { topic: 'reset' } });
  await visit(async (h) => (await owner(h), await h.answer('mobile', '+447400123456'), void (await h.send({ type: 'CHECK' }))), { status: [{ status: 'vouched', at: T0, result: RAISED }] }, { start: { topic: 'reset' } });
  await visit(async () => undefined, {}, { start: { vouchCode: 'ABCD2345' } });
  await visit(async (h) => void (await h.answer('vouch', true)), {}, { start: { vouchCode: 'ABCD2345' } });
  await visit(async (h) => void (await h.answer('vouch', false)), {}, { start: { vouchCode: 'ABCD2345' } });
  await visit(async () => undefined, { find: [{ found: false, reason: 'alreadyAnswered', answer: 'no', byYou: true }] }, { start: { vouchCode: 'ABCD2345' } });
  return texts;
}

describe('what the assistant says', () => {
  it('every step has its words, and none of them asks for a password', async () => {
    const texts = await everyPrompt();
    expect(texts.length).toBeGreaterThan(100);
    for (const text of texts) {
      // "Never give your password to anyone" is fine; "type your password" never appears.
      expect(text).not.toMatch(/(?<!(?:never|not|n't|do not) )\b(?:type|enter|give|send|tell|share) (?:me |us )?(?:your |the )?(?:current |old |new )?password\b/i);
      expect({ text, found: findPasswords(text).map((f) => text.slice(f.start, f.end)) }).toEqual({ text, found: [] });
    }
  });

  it('the wording exists for every state a user can rest in (checked by the compiler too)', () => {
    expect(Object.keys(PASSWORD_HELP_STEPS).sort()).toEqual(
      [
        'triage', 'forgotten', 'locked.address', 'locked.advice', 'notActivated', 'temporaryPasswordMissing', 'inactive', 'passwordRules', 'mobileInDirectory',
        'reset.address', 'reset.canReceiveTexts', 'reset.enterCode', 'reset.codeLocked', 'reset.noMoreCodes', 'reset.submitFailed', 'reset.verified',
        'reset.alreadyRequested', 'reset.hostedLocally', 'reset.leaver', 'reset.owner.mobile', 'reset.owner.waiting', 'reset.owner.refused', 'reset.owner.lapsed',
        'vouch.code', 'vouch.question', 'vouch.answered', 'vouch.closedRequest', 'vouch.tooManyCodes',
      ].sort(),
    );
  });

  it('who is open is worked out from the clock: NAS open on a Wednesday morning, closed on a Saturday', async () => {
    const weekday = startHelp({}, { start: { topic: 'forgotten' } });
    expect(passwordHelpDialog.prompt(weekday.snapshot).text).toMatch(/The National Administration Service \(careadmin@nhs\.net for care providers, dentistadmin@nhs\.net for dental practices\) is open now, until 5pm today\./);
    const saturday = startHelp({}, { start: { topic: 'temporaryPasswordMissing' } });
    saturday.advance(3 * 24 * 3_600_000);
    await saturday.answer('topic', 'forgotten');
    expect(passwordHelpDialog.prompt(saturday.snapshot).text).toMatch(/is closed at weekends; it opens again at 9am on Monday 7 December\./);
    expect(passwordHelpDialog.prompt(saturday.snapshot).text).toMatch(/The national helpdesk is open now, as it is 24 hours a day, every day: call 0333 200 1133/);
  });

  it('the code step says where the code went by the last 3 digits only, and how long it lasts', async () => {
    const help = startHelp({}, { start: { topic: 'reset', address: 'amy.pearce@nhs.net' } });
    await help.answer('canReceiveTexts', true);
    const text = passwordHelpDialog.prompt(help.snapshot).text;
    expect(text).toBe(
      'I have texted a 6-digit code to the mobile number on that account, ending 033. It works for 10 minutes (until 10:10am).\nPlease type the code from the text sent to the mobile ending 033.',
    );
    await help.answer('code', '111111');
    expect(problemText(help.context)).toBe('That code is not right. You have 4 tries left before code entry for this account is locked for 24 hours.');
  });

  it('reads answers at each step, and says why a field is needed or where to find it', async () => {
    const help = startHelp({}, { start: { topic: 'reset' } });
    expect(passwordHelpDialog.parse('why do you need that?', help.snapshot)).toEqual({ say: expect.stringMatching(/^Your NHSmail address tells me which account/) });
    expect(passwordHelpDialog.parse("I don't know my address", help.snapshot)).toEqual({ say: expect.stringMatching(/ending @nhs\.net/) });
    expect(passwordHelpDialog.parse('jane@gmail.com', help.snapshot)).toEqual({ invalid: expect.stringMatching(/not an NHSmail address/) });
    expect(passwordHelpDialog.parse('Amy.Pearce@nhs.net', help.snapshot)).toEqual({ type: 'ANSWER', answer: { question: 'address', value: 'amy.pearce@nhs.net' } });
    await help.answer('address', 'amy.pearce@nhs.net');
    expect(passwordHelpDialog.parse('yes', help.snapshot)).toEqual({ type: 'ANSWER', answer: { question: 'canReceiveTexts', value: true } });
    expect(passwordHelpDialog.parse('I lost my phone', help.snapshot)).toEqual({ type: 'ANSWER', answer: { question: 'canReceiveTexts', value: false } });
    expect(passwordHelpDialog.parse('no mobile on my account', help.snapshot)).toEqual({ type: 'ANSWER', answer: { question: 'canReceiveTexts', value: false } });
    await help.answer('canReceiveTexts', true);
    expect(passwordHelpDialog.parse('246 810', help.snapshot)).toEqual({ type: 'ANSWER', answer: { question: 'code', value: '246810' } });
    expect(passwordHelpDialog.parse('send a new code', help.snapshot)).toEqual({ type: 'RESEND' });
    expect(passwordHelpDialog.parse("that's not my number", help.snapshot)).toEqual({ type: 'ANSWER', answer: { question: 'canReceiveTexts', value: false } });
    expect(passwordHelpDialog.parse('12345', help.snapshot)).toEqual({ invalid: 'The code has 6 digits; 12345 has 5. Please type it again.' });
    expect(passwordHelpDialog.parse('banana', help.snapshot)).toBeUndefined();
  });

  it('a returning user is told what is done and what is left', async () => {
    const help = startHelp({}, { start: { topic: 'reset', address: 'joseph.achebe@nhs.net' } });
    await help.answer('canReceiveTexts', false);
    await help.answer('mobile', '+447400123456');
    expect(passwordHelpDialog.progress(help.snapshot)).toEqual({
      done: ['the NHSmail address (joseph.achebe@nhs.net)', 'the mobile for your temporary password (07400 123456)', 'your shared mailbox owners asked to vouch for you'],
      left: ['an owner’s answer (I will tell you here)'],
    });
    expect(passwordHelpDialog.parse('any news?', help.snapshot)).toEqual({ type: 'CHECK' });
  });
});

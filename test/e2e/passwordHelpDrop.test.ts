import { PASSWORD_DROPPED, expectingFor, holdsPassword, scrubbed } from '../../dialogs/passwordHelp/drop';
import { transcript } from '../helpers/transcript';

/**
 * Passwords are never collected (SPEC §2): a message that looks like a password is dropped before
 * the dialogs, the machine, the stored conversation or a log see it; the user is told to change it
 * and asked the same again. (Over HTTP with Redis, scanning every key and value: passwordHelp.http.test.ts.)
 */

async function storedConversations(t: ReturnType<typeof transcript>): Promise<string> {
  const store = t.assistant.store as unknown as { entries?: Map<string, unknown>; data?: Map<string, unknown> };
  return JSON.stringify([...(store.entries ?? store.data ?? new Map()).values()]);
}

describe('a password typed into the chat', () => {
  it('at the menu: dropped, with the warning, and the menu again', async () => {
    const t = transcript();
    await t.say('hello');
    const said = await t.ask('my password is Summer2024!');
    expect(said.startsWith(PASSWORD_DROPPED)).toBe(true);
    expect(said.endsWith('What would you like to do?')).toBe(true);
  });

  it('in the middle of a flow: dropped, and the same question asked again; nothing moves', async () => {
    const t = transcript();
    await t.say('hello');
    await t.say('1');
    const question = (await t.ask('care provider')).split('\n\n').pop()!;
    expect(question).toMatch(/Do you already have an NHSmail account/);
    const said = await t.ask('Xk9#mQ2!zz');
    expect(said.startsWith(PASSWORD_DROPPED)).toBe(true);
    expect(said.endsWith(question)).toBe(true);
    // The conversation carries on from the same question.
    expect(await t.ask('no')).not.toContain(PASSWORD_DROPPED);
  });

  it('a card value holding one is dropped too', async () => {
    const t = transcript();
    await t.say('hello');
    const replies = await t.submit({ action: 'saveMember', firstName: 'Ann', lastName: 'Lee', email: 'pw: Xk9#mQ2!zz' });
    expect(replies[0]!.text!.startsWith(PASSWORD_DROPPED)).toBe(true);
  });

  it('the stored conversation keeps no copy of it', async () => {
    const t = transcript();
    await t.say('hello');
    await t.say('my password is Summer2024!');
    await t.say('Xk9#mQ2!zz');
    const stored = await storedConversations(t);
    expect(stored.length).toBeGreaterThan(100);
    expect(stored).not.toMatch(/Summer2024|Xk9#mQ2/);
  });
});

describe('what counts', () => {
  it('a registration passcode while one is awaited is the passcode, not a password', () => {
    expect(expectingFor({ verification: 'awaitingPasscode' })).toEqual({ expecting: 'passcode' });
    expect(expectingFor('enterPasscode')).toEqual({ expecting: 'passcode' });
    expect(expectingFor({ reset: 'enterCode' })).toEqual({});
    expect(expectingFor(undefined)).toEqual({});
    expect(holdsPassword('Summer22', undefined)).toBe(true);
    expect(holdsPassword('Summer22', undefined, expectingFor({ verification: 'passcode' }))).toBe(false);
  });

  it('strings anywhere in a card value are read; ordinary answers are not dropped', () => {
    expect(holdsPassword('', { member: { notes: ['x', 'my password is rover'] } })).toBe(true);
    expect(holdsPassword('', { action: 'saveMember', firstName: "O'Brien-Smith", mobile: '07400 123456', email: 'jane@example.co.uk' })).toBe(false);
    expect(holdsPassword("I can't get into NHSmail.", undefined)).toBe(false);
  });

  it('what is kept of an activity has every password-like part replaced', () => {
    expect(scrubbed({ type: 'message', text: 'my password is rover', value: { a: ['pw: Xk9#mQ2!zz'], n: 3 } })).toEqual({
      type: 'message',
      text: 'my password is [password]',
      value: { a: ['pw: [password]'], n: 3 },
    });
  });
});

import { randomUUID } from 'node:crypto';
import type { ConversationEngine } from '../../bot/engine';
import { organisationsData } from './organisations';

/**
 * Registrations typed into the real conversation engine (no cards: the Emulator channel), each
 * going as far as its script says, for the dashboard's funnel.
 */

export type StopAfter = 'checks' | 'organisation' | 'verification' | 'town' | 'members' | 'finished';

export interface ScriptedOrganisation {
  odsCode: string;
  postcode: string;
  town: string;
  cqcLocationId: string;
  cqcContactId: string;
}

/** Care providers that can register (no shared mailbox, nothing pending, a town of at most 10 letters). */
export function registrableOrganisations(n: number, skip = 0): ScriptedOrganisation[] {
  return organisationsData()
    .filter((o) => o.kind === 'care' && !o.hasSharedMailbox && !o.hasPendingRegistration && o.fullDetailsHeld && o.cqcContactId && o.address.town.replace(/[^a-z]/gi, '').length <= 10)
    .slice(skip, skip + n)
    .map((o) => ({ odsCode: o.odsCode, postcode: o.address.postcode, town: o.address.town, cqcLocationId: o.cqcLocationId, cqcContactId: o.cqcContactId }));
}

export class ScriptedChat {
  readonly id = `scripted-${randomUUID()}`;
  readonly said: string[] = [];
  private n = 0;

  constructor(
    private readonly engine: ConversationEngine,
    readonly channelId = 'emulator',
  ) {}

  /** Sends `text` (undefined: the conversation starts) and checks the last reply matches `expected`. */
  async say(text: string | undefined, expected?: RegExp): Promise<string> {
    const result = await this.engine.turn({
      channelId: this.channelId,
      conversationId: this.id,
      activityId: `${this.id}-${++this.n}`,
      kind: text === undefined ? 'conversationStart' : 'message',
      ...(text !== undefined ? { text } : {}),
      conversationReference: { channelId: this.channelId, serviceUrl: 'http://127.0.0.1:9/', conversation: { id: this.id }, bot: { id: 'bot' }, user: { id: 'user' } },
    });
    const reply = result.replies.map((r) => r.text ?? '').join('\n---\n');
    this.said.push(`> ${text ?? '(start)'}`, reply);
    if (expected && !expected.test(reply)) {
      throw new Error(`after "${text}" expected ${expected}; the conversation so far:\n${this.said.join('\n')}`);
    }
    return reply;
  }
}

/**
 * One registration, typed as a user types it, stopping in the part `stopAfter` names (having
 * answered one of its questions), or after confirming (`finished`). `wander`: the user goes
 * back from the members to the town part and on again (each part must still count once).
 */
export async function scriptedRegistration(engine: ConversationEngine, org: ScriptedOrganisation, stopAfter: StopAfter, options: { wander?: boolean } = {}): Promise<ScriptedChat> {
  const chat = new ScriptedChat(engine);
  await chat.say(undefined, /What would you like to do\?/);
  await chat.say('register', /check 1 of 6/);
  for (const [answer, next] of [
    ['care home', /check 2 of 6/],
    ['no', /check 3 of 6/],
    ['yes', /check 4 of 6/],
    ['no', /check 5 of 6/],
    ['yes', /all checks done/],
  ] as const) {
    await chat.say(answer, next);
  }
  if (stopAfter === 'checks') return chat;
  await chat.say('continue', /Step 1 of 4 · Organisation details\nWhat is your organisation's postcode\?/);
  await chat.say(org.postcode, /Step 1 of 4 · Organisation details\n/);
  if (stopAfter === 'organisation') return chat;
  await chat.say(org.odsCode.toLowerCase(), /Step 2 of 4 · Verification\nWhat is your CQC location ID\?/);
  await chat.say(org.cqcLocationId, /What is your CQC contact ID/);
  if (stopAfter === 'verification') return chat;
  await chat.say(org.cqcContactId, /Step 3 of 4 · Town and members\n.* is verified\./);
  await chat.say(org.town, /Your shared mailbox address will be/);
  if (stopAfter === 'town') return chat;
  await chat.say('continue', /Step 3 of 4 · Members \(1 of 10\)\nFirst, the shared mailbox owner/);
  if (options.wander) {
    // Back from the members to the town part, and on again: the members are reached once.
    await chat.say('back', /Your shared mailbox address will be/);
    await chat.say('continue', /Step 3 of 4 · Members \(1 of 10\)\nFirst, the shared mailbox owner/);
  }
  const suffix = org.odsCode.replace(/\D/g, '').padStart(2, '0').slice(-2);
  const member = async (n: number, first: string, last: string, role: string) => {
    await chat.say(n === 1 ? 'Mrs' : 'none', /first name/);
    await chat.say(first, /last name/);
    await chat.say(last, /email address/);
    await chat.say(`${first.toLowerCase()}.${org.odsCode.toLowerCase()}@example.org`, /UK mobile number/);
    return chat.say(`07400 06${suffix}${String(n).padStart(2, '0')}`, /role\?/).then(() => chat.say(role));
  };
  await member(1, 'Jane', 'Smith', 'Registered Manager');
  if (stopAfter === 'members') return chat;
  await chat.say('add another', /Members \(2 of 10\)\nWhat is their title\?/);
  await member(2, 'Sam', 'Patel', 'Care Assistant');
  await chat.say('no', /be added to the shared mailbox/);
  await chat.say('no', /Say "done" when the list is complete/);
  await chat.say('done', /Step 4 of 4 · Review and confirm/);
  await chat.say('confirm', /Registration submitted\nThank you\. Your registration is with the National Administration Service\. Your reference is \*\*REG-/);
  return chat;
}

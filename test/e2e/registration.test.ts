import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { exclusiveKey, type NasRequest, type NasRequestOf, type NasRequests, type RegistrationRequestDetails } from '../../adapters/nasRequests';
import type { OutboxMessage } from '../../adapters/outbox';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { ChannelActivity, LocalChannel, SendResult } from '../../bench/localChannel';
import {
  BotProcess,
  buildBot,
  buttons,
  Chat,
  childEnv,
  inventedMember,
  lastText,
  REPO_ROOT,
  RunningBot,
  spawnBot,
  startBot,
  startPrivateRedis,
  texts,
  TypedMember,
} from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';

/**
 * Whole registrations, typed as a user types them, from the greeting to the NAS reference: over
 * HTTP to the bot in this process (memory), to `node dist/bot/index.js` processes (memory with an
 * outbox journal read by `node dist/scripts/outbox.js`, and Redis across a SIGKILL).
 */

const execFileAsync = promisify(execFile);

const REFERENCE = /Your reference is \*\*(REG-[A-Z2-9]{8})\*\*\./;
const VERIFICATION = 'Step 2 of 4 · Verification\n';
const Q = {
  kind: /^Before you start · check 1 of 6\nWhat kind of organisation are you registering\?/,
  existingAccount: /^Before you start · check 2 of 6\nDo you already have an NHSmail account of your own\?/,
  toolkit: /^Before you start · check 3 of 6\n/,
  otpInHand: /^Before you start · check 4 of 6\nHave you received an email or a letter with a one-time passcode/,
  contactIdKnown: /^Before you start · check 5 of 6\nDo you know your CQC contact ID\?/,
  delivery: /^Before you start · check 6 of 6\nYou will need a one-time passcode/,
  summary: /^Before you start · all checks done\. Your organisation can use this registration route\./,
  postcode: /^Step 1 of 4 · Organisation details\nWhat is your organisation's postcode\?/,
  managerEmail: (name: string) =>
    `Step 1 of 4 · Organisation details\nWhat is the registered manager's email address? It must be the one we hold for ${name}: the passcode will be sent there.`,
  awaiting: /^Step 2 of 4 · Verification\nWe have sent a one-time passcode (by email to|by post to)/,
  locationId: `${VERIFICATION}What is your CQC location ID? It starts with 1- followed by 9 to 11 digits, such as 1-1002733005.`,
  /** Asked first when a passcode is to be sent. */
  locationIdFirst: `${VERIFICATION}Before the passcode is sent: What is your CQC location ID? It starts with 1- followed by 9 to 11 digits, such as 1-1002733005.`,
  contactId: `${VERIFICATION}What is your CQC contact ID (the registered manager's ID)? It looks like CON1-123456789.`,
  passcode: `${VERIFICATION}What is your one-time passcode? It has 8 letters and digits.`,
  confirmCqc: /^Step 2 of 4 · Verification\nAre these your CQC registration details\?\n/,
  town: (name: string) => `Step 3 of 4 · Town and members\n${name} is verified. What is its postcode town (the town in its postal address)? Our records give`,
  townConfirm: 'Step 3 of 4 · Town and members\nPlease type the town again, to confirm it.',
  mailbox: (address: string) => `Step 3 of 4 · Town and members\nYour shared mailbox address will be:\n\`${address}\`\n`,
  review: /^Step 4 of 4 · Review and confirm\n/,
  submitted: /^Registration submitted\nThank you\. Your registration is with the National Administration Service\. Your reference is \*\*REG-[A-Z2-9]{8}\*\*\./,
};

interface Organisation {
  ods: string;
  name: string;
  postcode: string;
  locationId: string;
  contactId: string;
  town: string;
  mailbox: string;
}

const CPODS2: Organisation = {
  ods: 'CPODS2',
  name: 'Amazing Carehomes',
  postcode: 'LS6 1BN',
  locationId: '1-1002733005',
  contactId: 'CON1-123456789',
  town: 'Leeds',
  mailbox: 'care.leeds.amazingcarehomescpods2@nhs.net',
};
const VAHC1: Organisation = {
  ods: 'VAHC1',
  name: 'Amazing Home Care Ltd',
  postcode: 'LS6 1BN',
  locationId: '1-1002733013',
  contactId: 'CON1-123456790',
  town: 'Leeds',
  mailbox: 'care.leeds.amazinghomecareltdvahc1@nhs.net',
};
const DODSA1: Organisation = {
  ods: 'DODSA1',
  name: 'Riverside Dental Practice',
  postcode: 'BS1 5TY',
  locationId: '1-1002733021',
  contactId: 'CON1-223456789',
  town: 'Bristol',
  mailbox: 'nhsdental.bristol.riversidedentalpracticedodsa1@nhs.net',
};
const DODSB1 = { ods: 'DODSB1', name: 'Birchfield Dental Surgery', postcode: 'B16 9LA', locationId: '1-1002733039' };

const MANAGER_EMAIL = 'manager@amazingcarehomes.co.uk';

/** The questionnaire as typed: care or dental; verified by CQC contact ID or by a passcode by email/post. */
const CARE_CONTACT_ID = ['care', 'no', 'yes', 'no', 'yes'];
const CARE_OTP_BY_EMAIL = ['care', 'no', 'yes', 'no', 'no', 'email'];
const DENTAL_CONTACT_ID = ['dentist', 'no', 'yes', 'no', 'yes'];
const QUESTIONNAIRE_PROMPTS = [Q.existingAccount, Q.toolkit, Q.otpInHand, Q.contactIdKnown, Q.delivery];

function matches(text: string, expected: RegExp | string): boolean {
  return typeof expected === 'string' ? text.startsWith(expected) : expected.test(text);
}

/**
 * Types an answer that must be taken: the bot says exactly one thing (no complaint, no problem)
 * and it is the expected next question.
 */
async function answer(chat: Chat, typed: string, expected: RegExp | string): Promise<SendResult> {
  const result = await chat.say(typed);
  const said = texts(result);
  if (said.length !== 1 || !matches(said[0]!, expected)) {
    throw new Error(`after "${typed}" the bot should have asked ${expected}, but said:\n${said.map((s) => `> ${s}`).join('\n')}`);
  }
  return result;
}

/**
 * Types an answer that must be refused: the bot gives the reason and asks the same question
 * again, with the same buttons.
 */
async function refused(chat: Chat, previous: SendResult, typed: string, reason: RegExp | string): Promise<SendResult> {
  const result = await chat.say(typed);
  const said = texts(result);
  expect({ typed, said }).toEqual({
    typed,
    said: [typeof reason === 'string' ? reason : expect.stringMatching(reason), lastText(previous)],
  });
  expect(buttons(result)).toEqual(buttons(previous));
  return result;
}

/** Opens the conversation, starts the registration and answers the checks; ends at the postcode question. */
async function throughQuestionnaire(chat: Chat, answers: string[], route: RegExp): Promise<SendResult> {
  const opened = await chat.start();
  expect(texts(opened)[0]).toMatch(/^Hello, I'm the NHSmail care assistant/);
  const started = await chat.say('register');
  expect(texts(started)).toHaveLength(2);
  expect(texts(started)[0]).toMatch(/^Registering takes about 10 minutes/);
  expect(lastText(started)).toMatch(Q.kind);
  let result = started;
  for (const [index, typed] of answers.entries()) {
    result = await answer(chat, typed, index === answers.length - 1 ? Q.summary : QUESTIONNAIRE_PROMPTS[index]!);
  }
  expect(lastText(result)).toMatch(route);
  return answer(chat, 'continue', Q.postcode);
}

/** From the postcode question to the town question, verified with the CQC contact ID. */
async function verifyWithContactId(chat: Chat, org: Organisation, kindWords: string): Promise<SendResult> {
  const list = await answer(chat, org.postcode, `Step 1 of 4 · Organisation details\nThese ${kindWords} are registered at ${org.postcode}.`);
  expect(buttons(list)).toContain(`${org.name} – ${org.ods}`);
  await answer(chat, String(buttons(list).indexOf(`${org.name} – ${org.ods}`) + 1), Q.locationId);
  await answer(chat, org.locationId, Q.contactId);
  return answer(chat, org.contactId, Q.town(org.name));
}

/** From the town question to the first member's title. */
async function townAndMailbox(chat: Chat, org: Organisation): Promise<SendResult> {
  // The town in our records is taken as it is: nothing to type twice.
  const mailbox = await answer(chat, org.town.toLowerCase(), Q.mailbox(org.mailbox));
  expect(buttons(mailbox)).toEqual(['Continue', 'Back']);
  return answer(chat, 'continue', /^Step 3 of 4 · Members \(1 of 10\)\nFirst, the shared mailbox owner: they are always in the shared mailbox and are its admin\. What is their title\? \(optional\)/);
}

interface MemberAnswers extends TypedMember {
  title: string;
  role: string;
  /** Undefined: the bot must not ask (the first member, or a dental practice that has 2 owners). */
  owner?: 'yes' | 'no';
  access?: 'yes' | 'no';
  admin?: 'yes' | 'no';
}

const listHeader = (count: number) => `Step 3 of 4 · Members (${count} of 10)\nThe people who will get NHSmail accounts:\n`;

/**
 * Types one member's answers, from their title to the members list, checking each question;
 * `n` is their number (1 is the owner, whose title question is already on screen).
 */
async function addMember(chat: Chat, n: number, m: MemberAnswers, ownerNote = ''): Promise<SendResult> {
  const where = `Step 3 of 4 · Members (${n} of 10)\n`;
  const name = `${m.firstName} ${m.lastName}`;
  if (n > 1) await answer(chat, 'add another', `${where}What is their title? (optional)`);
  await answer(chat, m.title, `${where}What is their first name?`);
  await answer(chat, m.firstName, `${where}What is ${m.firstName}'s last name?`);
  await answer(chat, m.lastName, `${where}What is ${name}'s business or personal email address?`);
  await answer(chat, m.email, `${where}What is ${name}'s UK mobile number?`);
  const roleAsked = await answer(chat, m.mobile, `${where}What is ${name}'s role?`);
  expect(buttons(roleAsked).length).toBeGreaterThan(5);
  const list = listHeader(n);
  if (n === 1) return answer(chat, m.role, list);
  let result: SendResult;
  if (m.owner) {
    // The question, then what an owner is (and, for a dental practice, its limit of owners).
    const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const ownerAsked = new RegExp(`^${esc(`${where}Should ${name} also be a shared mailbox owner?`)}\\n[\\s\\S]*An owner is responsible for the shared mailbox[\\s\\S]*${esc(ownerNote.trim().replace(/\.$/, ''))}`);
    await answer(chat, m.role, ownerAsked);
    if (m.owner === 'yes') return answer(chat, 'yes', list);
    result = await answer(chat, m.owner, `${where}Should ${name} be added to the shared mailbox?`);
  } else {
    result = await answer(chat, m.role, `${where}Should ${name} be added to the shared mailbox?`);
  }
  if (m.access === 'no') return answer(chat, 'no', list);
  await answer(chat, 'yes', `${where}Should ${name} be an admin of the shared mailbox?`);
  result = await answer(chat, m.admin ?? 'no', list);
  return result;
}

/** "2. Dr Ben O'Brien — Dentist; shared mailbox owner, …; email; +44…", as the list and review show it. */
function memberLine(n: number, m: MemberAnswers, flags: string): string {
  const title = /^(no title|none|skip)$/i.test(m.title) ? '' : `${m.title} `;
  return `${n}. ${title}${m.firstName} ${m.lastName} — ${m.role}; ${flags}; ${m.email.toLowerCase()}; ${m.mobile}`;
}

const OWNER_FLAGS = 'shared mailbox owner, in the shared mailbox, mailbox admin';

/** The passcode in an outbox message's body. */
function passcodeIn(body: string): string {
  const match = /one-time passcode for .+ is: ([A-Z2-9]{8})\n/.exec(body);
  if (!match) throw new Error(`no passcode in:\n${body}`);
  return match[1]!;
}

/** A passcode of the right shape that is not `code`. */
function wrongPasscode(code: string): string {
  return code === 'WXYZ2345' ? 'WXYZ2346' : 'WXYZ2345';
}

/** Counts the requests the NAS adapter really created, whatever else it is asked. */
function countCreated(requests: NasRequests): { created: NasRequest[]; calls: number } {
  const seen = { created: [] as NasRequest[], calls: 0 };
  const submit = requests.submit.bind(requests);
  jest.spyOn(requests, 'submit').mockImplementation(async (input) => {
    seen.calls += 1;
    const result = await submit(input);
    if (result.outcome === 'created') seen.created.push(result.request as NasRequest);
    return result;
  });
  return seen;
}

describe('registering over HTTP (the bot in this process, memory)', () => {
  let channel: LocalChannel;
  let bot: RunningBot;

  beforeAll(async () => {
    channel = await LocalChannel.start();
  });

  afterAll(async () => {
    await channel?.close();
  });

  // A bot of its own per test: requests (pending per ODS code) and verification failures
  // (per ODS code, across conversations) would otherwise carry over between tests.
  beforeEach(async () => {
    bot = await startBot();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await bot?.close();
  });

  const newChat = () => new Chat(channel, bot.url, `conv-${randomUUID()}`);

  it('a care provider (CQC contact ID) registers 2 members from the greeting to a reference, once', async () => {
    const requests = bot.assistant.adapters.requests;
    const seen = countCreated(requests);
    const chat = newChat();
    await throughQuestionnaire(chat, CARE_CONTACT_ID, /You will verify with your CQC contact ID/);
    await verifyWithContactId(chat, CPODS2, 'care providers');
    await townAndMailbox(chat, CPODS2);

    const owner: MemberAnswers = { ...inventedMember(0, 1), title: 'Mrs', role: 'Registered Manager' };
    const second: MemberAnswers = { ...inventedMember(1, 1), title: 'no title', role: '5', owner: 'no', access: 'yes', admin: 'no' };
    const one = await addMember(chat, 1, owner);
    expect(lastText(one)).toContain(memberLine(1, owner, OWNER_FLAGS));
    expect(lastText(one)).toContain('Please add at least 1 more.');
    expect(buttons(one)).toEqual(['Add another member']);
    const two = await addMember(chat, 2, second);
    expect(lastText(two)).toContain(memberLine(2, { ...second, role: 'Care Assistant' }, 'in the shared mailbox'));
    expect(buttons(two)).toEqual(['Add another member', 'Done']);

    const review = await answer(chat, 'done', Q.review);
    const summary = lastText(review);
    for (const line of [
      '• Organisation: Amazing Carehomes',
      '• ODS code: CPODS2',
      '• CQC location ID: 1-1002733005',
      '• Town: Leeds',
      `• Shared mailbox: \`${CPODS2.mailbox}\``,
      `   ${memberLine(1, owner, OWNER_FLAGS)}`,
      `   ${memberLine(2, { ...second, role: 'Care Assistant' }, 'in the shared mailbox')}`,
    ]) {
      expect(summary).toContain(line);
    }
    expect(buttons(review)).toEqual(['Confirm and finish', 'Change a detail', 'Back']);
    expect(seen.calls).toBe(0);

    const confirm = chat.message('confirm and finish');
    const done = await chat.post(confirm);
    expect(done.status).toBe(200);
    expect(texts(done)).toHaveLength(1);
    expect(lastText(done)).toMatch(Q.submitted);
    const reference = REFERENCE.exec(lastText(done))![1]!;
    expect(reference).toMatch(/^REG-[A-Z2-9]{8}$/);
    expect(lastText(done)).toContain(`The shared mailbox (\`${CPODS2.mailbox}\`) needs no activation`);

    // What NAS received.
    const request = (await requests.get(reference)) as NasRequestOf<'registration'> | undefined;
    expect(request).toMatchObject({
      reference,
      kind: 'registration',
      status: 'received',
      details: {
        organisation: { kind: 'care', name: 'Amazing Carehomes', odsCode: 'CPODS2', cqcLocationId: '1-1002733005' },
        town: 'Leeds',
        sharedMailboxAddress: CPODS2.mailbox,
        verifiedBy: 'cqc-contact-id',
      },
    });
    expect(request!.details.members).toEqual([
      {
        title: 'Mrs',
        firstName: owner.firstName,
        lastName: owner.lastName,
        email: owner.email,
        mobile: owner.e164,
        role: 'Registered Manager',
        owner: true,
        sharedMailboxAccess: true,
        mailboxAdmin: true,
      },
      {
        firstName: second.firstName,
        lastName: second.lastName,
        email: second.email,
        mobile: second.e164,
        role: 'Care Assistant',
        owner: false,
        sharedMailboxAccess: true,
        mailboxAdmin: false,
      },
    ]);
    expect((await requests.pendingFor(exclusiveKey('registration', 'cpods2')))?.reference).toBe(reference);
    expect(seen.created.map((r) => r.reference)).toEqual([reference]);

    // Confirming again says briefly it is done, with the same reference (not the whole message again).
    const again = await chat.say('confirm and finish');
    expect(texts(again)).toEqual([`Your registration is already submitted (reference ${reference}); nothing more is needed. To register another organisation, say "register another organisation".`]);

    // The channel redelivers the very confirm activity: not processed again.
    const redelivered = await chat.post({ ...confirm });
    expect(redelivered.status).toBe(200);
    expect(redelivered.replies).toHaveLength(0);

    expect(seen.created).toHaveLength(1);
    expect((await requests.pendingFor(exclusiveKey('registration', 'CPODS2')))?.reference).toBe(reference);
    expect((await requests.get(reference))?.createdAt).toBe(request!.createdAt);
  });

  it('the same confirm delivered twice at once (a channel retry racing the first) creates one request', async () => {
    const requests = bot.assistant.adapters.requests;
    const seen = countCreated(requests);
    const chat = newChat();
    await throughQuestionnaire(chat, CARE_CONTACT_ID, /CQC contact ID/);
    await verifyWithContactId(chat, VAHC1, 'care providers');
    await townAndMailbox(chat, VAHC1);
    await addMember(chat, 1, { ...inventedMember(0, 2), title: 'Mr', role: '1' });
    await addMember(chat, 2, { ...inventedMember(1, 2), title: 'Ms', role: 'Nurse', owner: 'yes' });
    await answer(chat, 'done', Q.review);

    const confirm = chat.message('confirm and finish');
    // The local channel collects replies per conversation and request: with two requests of one
    // conversation in flight, read what it received from its transcript instead.
    const shown = channel.transcript(chat.id).length;
    const [a, b] = await Promise.all([chat.post(confirm), chat.post({ ...confirm })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const said = channel.transcript(chat.id).slice(shown).map((r) => r.text ?? '');
    // One delivery is the turn; the other is a duplicate (nothing said) or finds the turn still
    // running (asked to send again). Either way, one submission message with one reference.
    expect(said.filter((t) => Q.submitted.test(t))).toHaveLength(1);
    expect(said.filter((t) => !Q.submitted.test(t))).toEqual(
      said.length === 1 ? [] : ['I am still working on your previous message. Please send this one again in a moment.'],
    );
    const reference = REFERENCE.exec(said.find((t) => Q.submitted.test(t))!)![1];
    expect(seen.created.map((r) => r.reference)).toEqual([reference]);
    expect((await requests.pendingFor(exclusiveKey('registration', 'VAHC1')))?.reference).toBe(reference);
    // Once the first is done, the retry is a duplicate.
    expect((await chat.post({ ...confirm })).replies).toHaveLength(0);
  });

  it('a dental practice on Route A registers 10 members; at most 2 owners; "add another" refused at 10, "done" below 2', async () => {
    const requests = bot.assistant.adapters.requests;
    const seen = countCreated(requests);
    const chat = newChat();
    await throughQuestionnaire(chat, DENTAL_CONTACT_ID, /• Organisation: Dental practice[\s\S]*You will verify with your CQC contact ID/);
    await verifyWithContactId(chat, DODSA1, 'dental practices');
    await townAndMailbox(chat, DODSA1);

    const dentalRoles = ['Dentist', 'Dental Nurse', 'Dental Hygienist', 'Dental Therapist', 'Practice Manager', 'Receptionist', 'Administration & Clerical', 'Other'];
    const titles = ['Dr', 'Mr', 'Mrs', 'Miss', 'Ms', 'Mx', 'Prof', 'no title', 'Dr', 'Mrs'];
    const members: MemberAnswers[] = Array.from({ length: 10 }, (_, i) => ({
      ...inventedMember(i, 3),
      title: titles[i]!,
      role: dentalRoles[i % dentalRoles.length]!,
      // The owner question is asked of member 2 only: after a second owner, a dental practice is full.
      owner: i === 1 ? 'yes' : undefined,
      access: i === 1 ? undefined : i % 3 === 0 ? 'no' : 'yes',
      admin: i % 2 === 0 ? 'yes' : 'no',
    }));
    const flagsOf = (i: number) =>
      i < 2 ? OWNER_FLAGS : members[i]!.access === 'no' ? 'not in the shared mailbox' : members[i]!.admin === 'yes' ? 'in the shared mailbox, mailbox admin' : 'in the shared mailbox';

    const one = await addMember(chat, 1, members[0]!);
    expect(buttons(one)).toEqual(['Add another member']);
    // "done" with only the owner: refused, with the reason, and the list again.
    await refused(chat, one, 'done', 'A registration needs at least 2 people.');

    let list = one;
    for (let i = 1; i < 10; i++) {
      list = await addMember(chat, i + 1, members[i]!, 'A dental practice can have at most 2 owners');
    }
    const full = lastText(list);
    expect(full.startsWith(listHeader(10))).toBe(true);
    for (let i = 0; i < 10; i++) expect(full).toContain(memberLine(i + 1, members[i]!, flagsOf(i)));
    expect(full).toContain('Say "done" when the list is complete.\n');
    expect(buttons(list)).toEqual(['Done']);

    // An 11th: refused with the reason.
    await refused(chat, list, 'add another', 'A registration can have at most 10 people. Remove someone first to add another.');
    // A third owner, by changing member 3: refused with the reason, then "no" goes back to the list.
    const name3 = `${members[2]!.firstName} ${members[2]!.lastName}`;
    const ownerQuestion = await answer(chat, 'edit 3 owner', `Step 3 of 4 · Members (3 of 10) · changing a detail\nShould ${name3} also be a shared mailbox owner?`);
    await refused(chat, ownerQuestion, 'yes', 'A dental practice can have at most 2 shared mailbox owners, and it already has them.');
    const back = await answer(chat, 'no', listHeader(10));
    expect(lastText(back)).toBe(full);

    const review = await answer(chat, 'done', Q.review);
    for (let i = 0; i < 10; i++) expect(lastText(review)).toContain(`   ${memberLine(i + 1, members[i]!, flagsOf(i))}`);
    expect(lastText(review)).toContain(`• Shared mailbox: \`${DODSA1.mailbox}\``);

    const done = await answer(chat, 'confirm and finish', Q.submitted);
    const reference = REFERENCE.exec(lastText(done))![1]!;
    expect(lastText(done)).toContain('contact dentistadmin@nhs.net');
    const request = (await requests.get(reference)) as NasRequestOf<'registration'>;
    expect(request.details.organisation).toEqual({ kind: 'dental', name: DODSA1.name, odsCode: 'DODSA1', cqcLocationId: DODSA1.locationId });
    expect(request.details.verifiedBy).toBe('cqc-contact-id');
    expect(request.details.sharedMailboxAddress).toBe(DODSA1.mailbox);
    expect(request.details.members.map((m) => m.email)).toEqual(members.map((m) => m.email));
    expect(new Set(request.details.members.map((m) => m.mobile)).size).toBe(10);
    expect(request.details.members.map((m) => m.role)).toEqual(members.map((m) => m.role));
    expect(request.details.members.filter((m) => m.owner).map((m) => m.firstName)).toEqual([members[0]!.firstName, members[1]!.firstName]);
    for (const m of request.details.members) if (m.mailboxAdmin) expect(m.sharedMailboxAccess).toBe(true);
    expect(seen.created).toHaveLength(1);
  });

  it('a care provider verifies with a passcode sent by email: wrong passcode first, then lower case with a dash', async () => {
    const chat = newChat();
    await throughQuestionnaire(chat, CARE_OTP_BY_EMAIL, /• Passcode to be sent by: email\nWe will email a one-time passcode/);
    const list = await answer(chat, 'LS6 1BN', /These care providers are registered at LS6 1BN/);
    expect(buttons(list)).toEqual(['Amazing Carehomes – CPODS2', 'Amazing Home Care Ltd – VAHC1', 'None of these']);
    await answer(chat, '1', Q.managerEmail('Amazing Carehomes'));
    await answer(chat, MANAGER_EMAIL, Q.locationIdFirst);
    const sent = Date.now();
    const awaiting = await answer(chat, CPODS2.locationId, Q.awaiting);
    expect(lastText(awaiting)).toMatch(/We have sent a one-time passcode by email to m\*\*\*@amazingcarehomes\.co\.uk \(on .+\)\. It is valid for 21 days/);
    expect(buttons(awaiting)).toEqual(['I have my passcode', 'Send it again']);

    // The email, as the outbox holds it.
    const outbox: OutboxMessage[] = (await bot.assistant.adapters.outbox.latest(10)).filter((m) => m.tags?.odsCode === 'CPODS2');
    expect(outbox).toHaveLength(1);
    const [email] = outbox;
    expect(email).toMatchObject({ channel: 'email', recipient: MANAGER_EMAIL, subject: 'Your NHSmail registration passcode', tags: { kind: 'otp' } });
    expect(email!.createdAt).toBeGreaterThanOrEqual(sent);
    const code = passcodeIn(email!.body);

    await answer(chat, 'I have my passcode', Q.passcode);
    const wrong = await chat.say(wrongPasscode(code));
    expect(texts(wrong)).toEqual([
      'These details could not be verified. Please check your CQC location ID and one-time passcode, and try again. You have 4 attempts left in the next 24 hours.',
      Q.locationId,
    ]);
    await answer(chat, '1-1002733005', Q.passcode);
    await answer(chat, `${code.slice(0, 4).toLowerCase()}-${code.slice(4).toLowerCase()}`, Q.town('Amazing Carehomes'));

    // The passcode went by email only: the chat never showed it.
    expect(channel.transcript(chat.id).map((a) => a.text ?? '').join('\n')).not.toContain(code);
  });

  it('a dental practice on Route B is sent its passcode by post although it chose the CQC contact ID, and confirms its CQC details', async () => {
    const chat = newChat();
    await throughQuestionnaire(chat, DENTAL_CONTACT_ID, /You will verify with your CQC contact ID/);
    const list = await answer(chat, 'b16 9la', 'Step 1 of 4 · Organisation details\nThese dental practices are registered at B16 9LA.');
    expect(buttons(list)).toEqual(['Birchfield Dental Surgery – DODSB1', 'None of these']);
    // Told at once why, before anything is posted.
    const routeB = /^Step 2 of 4 · Verification\n(A change of route: )?Birchfield Dental Surgery registers by Route B\. We do not yet hold all of the practice's details, so it cannot verify with your CQC contact ID/;
    const location = await answer(chat, 'Birchfield Dental Surgery', routeB);
    expect(lastText(location)).toContain('\nBefore the passcode is sent: What is your CQC location ID?');
    // While it waits, a short reminder of the route.
    const awaiting = await answer(chat, DODSB1.locationId, /^Step 2 of 4 · Verification\nThis practice registers by Route B: the passcode comes by post/);
    expect(lastText(awaiting)).toMatch(/We have sent a one-time passcode by post to your CQC-registered address \(on .+\)\. It is valid for 14 days/);

    const [letter, ...others] = (await bot.assistant.adapters.outbox.latest(10)).filter((m) => m.tags?.odsCode === 'DODSB1');
    expect(others).toHaveLength(0);
    expect(letter).toMatchObject({ channel: 'letter', recipient: 'Birchfield Dental Surgery, 221 Hagley Road, Birmingham, B16 9LA' });
    const code = passcodeIn(letter!.body);

    // Route B verifies with the passcode: the CQC contact ID is not asked for, and is not a passcode.
    const asked = await answer(chat, "it's arrived", Q.passcode);
    await refused(chat, asked, 'CON1-223456790', /^The passcode cannot contain “O”, “1” and “0”: passcodes never contain 0, O, 1 or I/);
    const details = await answer(chat, code, Q.confirmCqc);
    expect(lastText(details)).toBe(
      `${VERIFICATION}Are these your CQC registration details?\n• CQC location ID: 1-1002733039\n• Name: Birchfield Dental Surgery\n• Address: 221 Hagley Road, Birmingham, B16 9LA`,
    );
    expect(buttons(details)).toEqual(['Yes', 'No']);
    await answer(chat, 'yes', Q.town('Birchfield Dental Surgery'));
  });

  describe('bad input is refused with a reason and never advances', () => {
    it('organisation details and verification (passcode by email)', async () => {
      const chat = newChat();
      const postcode = await throughQuestionnaire(chat, CARE_OTP_BY_EMAIL, /by: email/);
      await refused(chat, postcode, 'LS6 1B!', 'LS6 1B! is not a UK postcode: postcodes have only letters and digits. Please type a full postcode such as LL11 1AA, or just its first part such as LL11.');
      await refused(chat, postcode, 'Q1 1AA', /^Q1 1AA is not a UK postcode/);
      await refused(chat, postcode, 'LS6 1BNX9', /is too long for a UK postcode/);
      // A real postcode with no care provider: looked up, then asked again.
      expect(await bot.assistant.adapters.directory.findByPostcode('ZE1 0AA')).toEqual([]);
      await refused(chat, postcode, 'ZE1 0AA', /^I could not find any care providers registered at ZE1 0AA\. Please check the postcode/);

      const list = await answer(chat, 'ls61bn', /These care providers are registered at LS6 1BN/);
      expect(await bot.assistant.adapters.directory.findByOdsCode('VZZZZ9')).toBeUndefined();
      await refused(chat, list, 'VZZZZ9', 'No care provider has that ODS code. Please choose from the list, or check the code.');
      await refused(chat, list, 'DODSA1', /^That organisation is not a care provider, which is what you said you are registering/);

      const email = await answer(chat, 'cpods2', Q.managerEmail('Amazing Carehomes'));
      await refused(chat, email, 'manager@amazingcarehomes.com', /^That email address does not match the registered manager's address we hold for Amazing Carehomes\./);
      await refused(chat, email, 'manager at amazingcarehomes.co.uk', /is not a valid email address: an email address cannot contain spaces/);
      await refused(chat, email, 'manager@', /is not a valid email address/);
      const location = await answer(chat, 'Manager@AmazingCarehomes.co.uk', Q.locationIdFirst);
      await refused(chat, location, 'CON1-123456789', /looks like a CQC contact ID \(the registered manager's ID\), not the CQC location ID/);
      await refused(chat, location, '1-12345', /^1-12345 is too short for a CQC location ID: it has 5 digits after the 1-/);
      await refused(chat, location, '1002733005', /is missing the “1-” at the start/);
      await refused(chat, location, '1-1002733005X', /^1-1002733005X is not a CQC location ID/);
      expect((await bot.assistant.adapters.outbox.latest(10)).length).toBe(0);
      await answer(chat, '1-1002733005', Q.awaiting);
      const code = passcodeIn((await bot.assistant.adapters.outbox.latest(1))[0]!.body);

      const passcode = await answer(chat, 'I have my passcode', Q.passcode);
      await refused(chat, passcode, 'AB0O-CDEF', /^The passcode cannot contain “0” and “O”: passcodes never contain 0, O, 1 or I/);
      await refused(chat, passcode, 'ABCD1EFG', /^The passcode cannot contain “1”/);
      await refused(chat, passcode, 'ABCDEFG', /^The passcode has 7 characters, but passcodes have 8/);
      await refused(chat, passcode, 'ABCD#EFGH', /^The passcode cannot contain “\\?#”/);
      // None of those was checked against the passcode: the first wrong one leaves 4 attempts.
      const wrong = await chat.say(wrongPasscode(code));
      expect(texts(wrong)[0]).toMatch(/could not be verified.*You have 4 attempts left in the next 24 hours\.$/);
      expect(lastText(wrong)).toBe(Q.locationId);
      await answer(chat, '1-1002733005', Q.passcode);
      await answer(chat, code, Q.town('Amazing Carehomes'));
    });

    it('town and members', async () => {
      const requests = bot.assistant.adapters.requests;
      const chat = newChat();
      await throughQuestionnaire(chat, CARE_CONTACT_ID, /CQC contact ID/);
      const town = await verifyWithContactId(chat, CPODS2, 'care providers');
      await refused(chat, town, 'Leeds 6', 'The town can contain only letters, spaces, hyphens and apostrophes, so “6” cannot be used.');
      await refused(chat, town, '   ', 'The town is missing; please type it.');
      // A town other than the one in our records is typed twice.
      const confirmTown = await answer(chat, 'Headingley', Q.townConfirm);
      await refused(chat, confirmTown, 'Le!eds', /^The town can contain only letters.*“!” cannot be used/);
      // A different town: not taken; the town is asked for again, from the start.
      const mismatch = await chat.say('Bradford');
      expect(texts(mismatch)).toEqual(['The two towns did not match. Please type the postcode town again.', lastText(town)]);
      // The town in our records is taken at once; typed again, it is said to be taken already.
      const mailbox = await answer(chat, 'Leeds', Q.mailbox(CPODS2.mailbox));
      const again = await chat.say('LEEDS');
      expect(texts(again)).toEqual(['Thank you: Leeds is already taken as your town, so there is no need to type it again.', lastText(mailbox)]);
      const title = await answer(chat, 'continue', /Members \(1 of 10\)\nFirst, the shared mailbox owner/);

      const jane = { ...inventedMember(0, 4), firstName: 'Jane', lastName: 'Smith', email: 'jane.smith@example.co.uk' };
      await refused(chat, title, 'Sir', /^“Sir” is not a title the account can have: choose Mr, Mrs, Miss, Ms, Mx, Dr or Prof/);
      const first = await answer(chat, 'Mrs', 'Step 3 of 4 · Members (1 of 10)\nWhat is their first name?');
      await refused(chat, first, 'J4ne', 'The first name can contain only letters, spaces, hyphens and apostrophes, so “4” cannot be used.');
      const last = await answer(chat, 'Jane', /What is Jane's last name\?/);
      await refused(chat, last, 'Smith 2nd', 'The last name can contain only letters, spaces, hyphens and apostrophes, so “2” cannot be used.');
      const email = await answer(chat, 'Smith', /What is Jane Smith's business or personal email address\?/);
      await refused(chat, email, 'jane.smith@nhs.net', /^jane\.smith@nhs\.net is an NHSmail address: that person already has an NHSmail account and must not be added here/);
      await refused(chat, email, 'jane.smith@leeds.nhs.net', /is an NHSmail address/);
      await refused(chat, email, 'jane.smith@example', /is not a valid email address: the part after the @ should be a domain/);
      const mobile = await answer(chat, jane.email, /What is Jane Smith's UK mobile number\?/);
      await refused(chat, mobile, '0113 496 0000', '0113 496 0000 is a landline number; please give a mobile number so the temporary password can be texted.');
      await refused(chat, mobile, '07400 05041', '07400 05041 is too short for a UK mobile number.');
      await refused(chat, mobile, '07400 0504011', '07400 0504011 is too long for a UK mobile number.');
      await refused(chat, mobile, '+1 212 555 0100', /^\+1 212 555 0100 is not a UK number/);
      await refused(chat, mobile, 'O74OO O5O4OO', /has letters in it/);
      // Hollybank Care Home's owner has this mobile on NHSmail already.
      await refused(chat, mobile, '07400 000011', /^That mobile number is already on an NHSmail account, so this person may already have one\./);
      const role = await answer(chat, jane.mobile, /What is Jane Smith's role\?/);
      await refused(chat, role, 'Astronaut', /^“Astronaut” is not one of the roles for a care provider: Registered Manager, Deputy Manager/);
      await refused(chat, role, '9', 'There is no role number 9; please choose a number from 1 to 7, or type the role.');
      await refused(chat, role, 'Dentist', /^“Dentist” is not one of the roles for a care provider/);
      const one = await answer(chat, 'registered manager', listHeader(1));

      const tom = inventedMember(1, 4);
      await answer(chat, 'add another', /Members \(2 of 10\)\nWhat is their title\?/);
      await answer(chat, 'Mr', /What is their first name\?/);
      await answer(chat, tom.firstName, /last name\?/);
      const tomEmail = await answer(chat, tom.lastName, /email address\?/);
      await refused(chat, tomEmail, 'JANE.SMITH@example.co.uk', 'Someone in this registration already has that email address; each person needs their own.');
      const tomMobile = await answer(chat, tom.email, /mobile number\?/);
      await refused(chat, tomMobile, jane.e164, 'Someone in this registration already has that mobile number; each person needs their own.');
      await refused(chat, tomMobile, jane.mobile.replace(/ /g, ''), 'Someone in this registration already has that mobile number; each person needs their own.');
      await answer(chat, tom.mobile, /role\?/);
      await answer(chat, 'Deputy Manager', /also be a shared mailbox owner\?/);
      await answer(chat, 'no', /be added to the shared mailbox\?/);
      const two = await answer(chat, 'no', listHeader(2));

      const ownerStays = /^The first member is the shared mailbox owner: they stay (in the registration, )?in the shared mailbox and as its admin\./;
      await refused(chat, two, 'edit 1 owner', ownerStays);
      await refused(chat, two, 'remove 1', ownerStays);
      await refused(chat, two, 'edit 1 shared mailbox', ownerStays);
      await refused(chat, two, 'remove 3', 'There is no member with that number. Members are numbered 1 to 2.');
      await refused(chat, two, 'edit 2', `Which detail of ${tom.firstName} should change? For example "edit 2 mobile" or "edit 2 email".`);
      // Changing a detail is checked like a new answer.
      const change = await answer(chat, 'edit 2 mobile', new RegExp(`Members \\(2 of 10\\) · changing a detail\\nWhat is .+'s UK mobile number\\? It is now: ${tom.mobile}\\.`));
      await refused(chat, change, jane.mobile, 'Someone in this registration already has that mobile number; each person needs their own.');
      const changed = await answer(chat, '+44 7400 050499', listHeader(2));
      expect(lastText(changed)).toContain('; 07400 050499');
      expect(lastText(one).split('\n')[2]).toBe(lastText(changed).split('\n')[2]);

      await answer(chat, 'done', Q.review);
      const done = await answer(chat, 'confirm and finish', Q.submitted);
      const request = (await requests.get(REFERENCE.exec(lastText(done))![1]!)) as NasRequestOf<'registration'>;
      expect(request.details.town).toBe('Leeds');
      expect(request.details.members.map((m) => [m.firstName, m.lastName, m.email, m.mobile, m.role, m.owner, m.sharedMailboxAccess])).toEqual([
        ['Jane', 'Smith', 'jane.smith@example.co.uk', jane.e164, 'Registered Manager', true, true],
        [tom.firstName, tom.lastName, tom.email, '+447400050499', 'Deputy Manager', false, false],
      ]);
    });
  });

  describe('commands taken without leaving the question; typed numbers; short mobiles', () => {
    /** A care provider (CQC contact ID) at the members list with `count` members. */
    async function atMembersList(chat: Chat, count: number): Promise<SendResult> {
      await throughQuestionnaire(chat, CARE_CONTACT_ID, /CQC contact ID/);
      await verifyWithContactId(chat, CPODS2, 'care providers');
      await townAndMailbox(chat, CPODS2);
      let list = await addMember(chat, 1, { ...inventedMember(0, 7), title: 'Mrs', role: 'Registered Manager' });
      for (let i = 1; i < count; i++) {
        list = await addMember(chat, i + 1, { ...inventedMember(i, 7), title: 'Mr', role: 'Nurse', owner: 'no', access: 'no' });
      }
      return list;
    }

    // Regressions: these four were answered "Sorry, that answer does not fit here" (the dialog took
    // "the state did not change" for "the machine refused it") although the machine had done what
    // was asked.
    it('"send it again" straight away sends no second passcode (they are 15 minutes apart), without "Sorry"', async () => {
      const chat = newChat();
      await throughQuestionnaire(chat, CARE_OTP_BY_EMAIL, /by: email/);
      await answer(chat, 'LS6 1BN', /registered at LS6 1BN/);
      await answer(chat, 'CPODS2', Q.managerEmail('Amazing Carehomes'));
      await answer(chat, MANAGER_EMAIL, Q.locationIdFirst);
      const awaiting = await answer(chat, CPODS2.locationId, Q.awaiting);
      expect(buttons(awaiting)).toContain('Send it again');
      const resent = await chat.say('Send it again');
      // No second passcode so soon: the first one stands…
      expect((await bot.assistant.adapters.outbox.latest(10)).filter((m) => m.tags?.odsCode === 'CPODS2')).toHaveLength(1);
      // …the user is told when the next may go, and not that their answer did not fit.
      expect(texts(resent).join('\n')).not.toContain('Sorry');
      expect(texts(resent)).toEqual([
        expect.stringMatching(/^No new passcode was sent: one was sent on .+, and another can be sent from .+\. Emails can take a few minutes/),
        expect.stringMatching(Q.awaiting),
      ]);
    });

    it('"remove 2" removes the member and shows the list, without "Sorry"', async () => {
      const chat = newChat();
      const three = await atMembersList(chat, 3);
      const second = inventedMember(1, 7);
      expect(lastText(three)).toContain(second.email);
      const second2 = `${second.firstName} ${second.lastName}`;
      await answer(chat, 'remove 2', `Step 3 of 4 · Members\nRemove ${second2} from the registration?`);
      const removed = await chat.say('yes');
      expect(lastText(removed)).toContain(`Step 3 of 4 · Members (2 of 10)\n${second2} has been removed.\nThe people who will get NHSmail accounts:\n`);
      expect(lastText(removed)).not.toContain(second.email);
      expect(lastText(removed)).toContain(`2. Mr ${inventedMember(2, 7).firstName}`);
      expect(texts(removed).join('\n')).not.toContain('Sorry');
      expect(texts(removed)).toHaveLength(1);
    });

    it('"list" at the members list shows it again, without "Sorry"', async () => {
      const chat = newChat();
      const list = await atMembersList(chat, 2);
      const listed = await chat.say('list');
      expect(lastText(listed)).toBe(lastText(list));
      expect(texts(listed)).toEqual([lastText(list)]);
    });

    it('a full postcode typed at the organisation list is looked up and listed, without "Sorry"', async () => {
      const chat = newChat();
      await throughQuestionnaire(chat, CARE_CONTACT_ID, /CQC contact ID/);
      const outward = await answer(chat, 'LS6', 'Step 1 of 4 · Organisation details\nThese care providers are registered at LS6.');
      expect(buttons(outward).length).toBeGreaterThan(2);
      const narrowed = await chat.say('LS6 1BN');
      expect(buttons(narrowed)).toEqual(['Amazing Carehomes – CPODS2', 'Amazing Home Care Ltd – VAHC1', 'None of these']);
      expect(texts(narrowed)).toEqual([expect.stringContaining('These care providers are registered at LS6 1BN.')]);
    });

    // Regression: "1" was always read as "add another", whatever the buttons were.
    it('with 10 members the only button is "Done", and typing its number "1" means done', async () => {
      const chat = newChat();
      const full = await atMembersList(chat, 10);
      expect(buttons(full)).toEqual(['Done']);
      const typed = await chat.say('1');
      expect(texts(typed)).toEqual([expect.stringMatching(Q.review)]);
    });

    // Regression: "07400 1234" was called "not a valid UK mobile number".
    it('a mobile one or two digits short is called too short', async () => {
      const chat = newChat();
      await throughQuestionnaire(chat, CARE_CONTACT_ID, /CQC contact ID/);
      await verifyWithContactId(chat, CPODS2, 'care providers');
      await townAndMailbox(chat, CPODS2);
      await answer(chat, 'Mrs', /first name/);
      await answer(chat, 'Jane', /last name/);
      await answer(chat, 'Smith', /email address/);
      const mobile = await answer(chat, 'jane@example.co.uk', /mobile number/);
      await refused(chat, mobile, '07400 12345', '07400 12345 is too short for a UK mobile number.');
      await refused(chat, mobile, '07400 1234', '07400 1234 is too short for a UK mobile number.');
    });
  });
});

describe('registering against bot processes (node dist/bot/index.js)', () => {
  let outDir: string;
  let channel: LocalChannel;
  const processes: BotProcess[] = [];
  const temp = mkdtempSync(path.join(os.tmpdir(), 'nhsca-registration-e2e-'));

  const spawn = async (env: Record<string, string>) => {
    const bot = await spawnBot(outDir, env);
    processes.push(bot);
    return bot;
  };

  beforeAll(async () => {
    outDir = await buildBot();
    channel = await LocalChannel.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await channel?.close();
    rmSync(temp, { recursive: true, force: true });
  }, 30_000);

  /** `npm run outbox` without REDIS_URL: `node dist/scripts/outbox.js`, reading OUTBOX_FILE. */
  async function outboxScript(outboxFile: string): Promise<string> {
    const { stdout } = await execFileAsync(process.execPath, [path.join(outDir, 'scripts', 'outbox.js')], {
      cwd: REPO_ROOT,
      env: childEnv({ OUTBOX_FILE: outboxFile }),
      timeout: 15_000,
    });
    return stdout;
  }

  it('in memory: the passcode emailed is read with the outbox script; asked for again at once, none is sent twice', async () => {
    const outboxFile = path.join(temp, 'outbox.jsonl');
    expect(await outboxScript(outboxFile)).toContain(`The outbox journal (${outboxFile}) is empty.`);
    const bot = await spawn({ OUTBOX_FILE: outboxFile });
    const chat = new Chat(channel, bot.url, `conv-${randomUUID()}`);
    await throughQuestionnaire(chat, CARE_OTP_BY_EMAIL, /by: email/);
    await answer(chat, 'LS6 1BN', /These care providers are registered at LS6 1BN/);
    await answer(chat, 'CPODS2', Q.managerEmail('Amazing Carehomes'));
    await answer(chat, MANAGER_EMAIL, Q.locationIdFirst);
    await answer(chat, '1-1002733005', Q.awaiting);

    const first = await outboxScript(outboxFile);
    expect(first).toContain(`Latest 1 message in ${outboxFile}, newest first:`);
    expect(first).toContain(`  email  to ${MANAGER_EMAIL}\nSubject: Your NHSmail registration passcode\nTags: kind=otp, odsCode=CPODS2\n`);
    const oldCode = passcodeIn(first.replace(/\n {2}/g, '\n'));

    // A second passcode no sooner than 15 minutes after the first: nothing more is sent.
    const refused = await chat.say('send it again');
    expect(texts(refused)).toEqual([expect.stringMatching(/^No new passcode was sent: .+another can be sent from /), expect.stringMatching(Q.awaiting)]);
    const second = await outboxScript(outboxFile);
    expect(second).toContain(`Latest 1 message in ${outboxFile}, newest first:`);
    const code = oldCode;

    await answer(chat, 'I have my passcode', Q.passcode);
    const wrong = await chat.say(wrongPasscode(code));
    expect(texts(wrong)[0]).toMatch(/^These details could not be verified\..*You have 4 attempts left in the next 24 hours\.$/);
    expect(lastText(wrong)).toBe(Q.locationId);
    await answer(chat, '1-1002733005', Q.passcode);
    await answer(chat, `${code.slice(0, 4).toLowerCase()}-${code.slice(4).toLowerCase()}`, Q.town('Amazing Carehomes'));
    await bot.kill();
  });

  describe('on Redis', () => {
    let redis: TestRedis;
    let direct: Redis;

    beforeAll(async () => {
      redis = await startPrivateRedis();
      direct = createRedisClient(redis.url);
      await waitUntilReady(direct);
    }, 30_000);

    afterAll(async () => {
      await direct?.quit().catch(() => direct.disconnect());
      await redis?.stop();
    });

    const onRedis = () => spawn({ REDIS_URL: redis.url });

    /** Every request hash's fields, by reference. */
    async function requestHashes(): Promise<Record<string, string>[]> {
      const keys = await direct.keys('nhsca:nas:request:*');
      return Promise.all(keys.map((key) => direct.hgetall(key)));
    }

    /** The care queue's stream, which NAS workers read. */
    const CARE_QUEUE = 'nhsca:nas:queue:{care}';

    /** The references on the NAS care queue, in order. */
    async function streamReferences(): Promise<string[]> {
      const entries = await direct.xrange(CARE_QUEUE, '-', '+');
      return entries.map(([, fields]) => fields[fields.indexOf('reference') + 1]!);
    }

    it('a registration carried on after SIGKILL makes exactly one request, also when confirmed again after another restart', async () => {
      const first = await onRedis();
      const chat = new Chat(channel, first.url, `conv-${randomUUID()}`);
      await throughQuestionnaire(chat, CARE_CONTACT_ID, /CQC contact ID/);
      await verifyWithContactId(chat, CPODS2, 'care providers');
      await townAndMailbox(chat, CPODS2);
      const owner: MemberAnswers = { ...inventedMember(0, 5), title: 'Dr', role: 'Nurse' };
      const second: MemberAnswers = { ...inventedMember(1, 5), title: 'Mx', role: 'Other', owner: 'no', access: 'yes', admin: 'yes' };
      await addMember(chat, 1, owner);
      const list = await addMember(chat, 2, second);
      expect(buttons(list)).toEqual(['Add another member', 'Done']);
      expect(await direct.xlen(CARE_QUEUE)).toBe(0);

      await first.kill();
      expect(first.child.signalCode).toBe('SIGKILL');
      const restarted = await onRedis();
      chat.botUrl = restarted.url;

      const review = await answer(chat, 'done', Q.review);
      expect(lastText(review)).toContain(`   ${memberLine(1, owner, OWNER_FLAGS)}`);
      expect(lastText(review)).toContain(`   ${memberLine(2, second, 'in the shared mailbox, mailbox admin')}`);
      const confirm = chat.message('confirm and finish');
      const done = await chat.post(confirm);
      expect(texts(done)).toHaveLength(1);
      expect(lastText(done)).toMatch(Q.submitted);
      const reference = REFERENCE.exec(lastText(done))![1]!;

      const checkOneRequest = async () => {
        const hashes = await requestHashes();
        expect(hashes.filter((h) => h.odsCode === 'CPODS2')).toHaveLength(1);
        expect(hashes.map((h) => h.reference)).toEqual([reference]);
        expect(await direct.xlen(CARE_QUEUE)).toBe(1);
        expect(await streamReferences()).toEqual([reference]);
      };
      await checkOneRequest();
      const hash = (await direct.hgetall(`nhsca:nas:request:{${reference}}`))!;
      expect(hash).toMatchObject({ reference, kind: 'registration', status: 'received', odsCode: 'CPODS2' });
      const details = JSON.parse(hash.details!) as RegistrationRequestDetails;
      expect(details.members.map((m) => [m.email, m.mobile, m.owner, m.mailboxAdmin])).toEqual([
        [owner.email, owner.e164, true, true],
        [second.email, second.e164, false, true],
      ]);
      expect(await direct.hget('nhsca:nas:exclusive:{registration%3ACPODS2}', 'reference')).toBe(reference);

      // Killed again; the next process is asked to confirm again, and gets the redelivered confirm.
      await restarted.kill();
      const third = await onRedis();
      chat.botUrl = third.url;
      const again = await chat.say('confirm and finish');
      expect(texts(again)[0]).toMatch(new RegExp(`^Your registration is already submitted \\(reference ${reference}\\); nothing more is needed\\.`));
      const redelivered = await chat.post({ ...confirm });
      expect(redelivered.status).toBe(200);
      expect(redelivered.replies).toHaveLength(0);
      await checkOneRequest();

      // Another conversation for the same organisation is stopped: its registration is pending.
      const other = new Chat(channel, third.url, `conv-${randomUUID()}`);
      await throughQuestionnaire(other, CARE_CONTACT_ID, /CQC contact ID/);
      await answer(other, 'LS6 1BN', /registered at LS6 1BN/);
      const stop = await answer(other, 'CPODS2', new RegExp(`^Step 1 of 4 · Organisation details\\nA registration for Amazing Carehomes is already being processed by the National Administration Service \\(reference ${reference}, made on `));
      expect(buttons(stop)).toContain('Back');
      await checkOneRequest();
    });

    it('a confirm pressed twice at once, landing on two processes, makes one request', async () => {
      const [a, b] = [await onRedis(), await onRedis()];
      const chat = new Chat(channel, a.url, `conv-${randomUUID()}`);
      await throughQuestionnaire(chat, CARE_CONTACT_ID, /CQC contact ID/);
      await verifyWithContactId(chat, VAHC1, 'care providers');
      await townAndMailbox(chat, VAHC1);
      await addMember(chat, 1, { ...inventedMember(0, 6), title: 'Ms', role: 'Deputy Manager' });
      await addMember(chat, 2, { ...inventedMember(1, 6), title: 'Mr', role: 'Care Assistant', owner: 'yes' });
      await answer(chat, 'done', Q.review);
      const before = await direct.xlen(CARE_QUEUE);

      const press = (): ChannelActivity => chat.message('Confirm and finish');
      const shown = channel.transcript(chat.id).length;
      const [onA, onB] = await Promise.all([channel.send(a.url, press()), channel.send(b.url, press())]);
      expect([onA.status, onB.status]).toEqual([200, 200]);
      const said = channel.transcript(chat.id).slice(shown).flatMap((r) => (r.text ?? '').split('\n\n'));
      expect(said.join('\n')).not.toMatch(/went wrong|unavailable|could not be submitted/);
      const references = new Set(said.flatMap((t) => [...t.matchAll(/REG-[A-Z2-9]{8}/g)].map((m) => m[0])));
      expect(references.size).toBe(1);
      const [reference] = [...references];
      // The presses are turns one after the other: the first submits, the second is told so.
      expect(said.filter((t) => !Q.submitted.test(t))).toEqual([
        `Your registration is already submitted (reference ${reference}); nothing more is needed. To register another organisation, say "register another organisation".`,
      ]);

      const hashes = (await requestHashes()).filter((h) => h.odsCode === 'VAHC1');
      expect(hashes.map((h) => h.reference)).toEqual([reference]);
      expect(await direct.xlen(CARE_QUEUE)).toBe(before + 1);
      expect((await streamReferences()).filter((r) => r === reference)).toHaveLength(1);
      expect((await requestHashes()).length).toBe(await direct.xlen(CARE_QUEUE));
    });
  });
});

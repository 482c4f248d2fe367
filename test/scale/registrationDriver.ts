import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Organisation } from '../../adapters/organisationDirectory';
import type { SendResult } from '../../bench/localChannel';
import { Chat, inventedMember, lastText, REPO_ROOT, sleep, texts, TypedMember } from '../helpers/bot';
import { scaled } from '../helpers/timeouts';

/**
 * A whole registration as a user types it (care provider, CQC contact ID route, two members),
 * step by step, each step with the question that must follow it — and what the user does when
 * told a turn failed, during a failover:
 *
 * - A turn is **acknowledged** when the reply is the next question. Its answer must then be in
 *   the conversation for good: every later reply is checked against the steps that follow, so a
 *   lost answer shows as a question asked again or a wrong one.
 * - A turn is **told failed** when the reply says the service is briefly unavailable, still
 *   working, that something went wrong or could not be checked or submitted just now, or when the
 *   bot gives no answer (a 5xx, a dropped connection). The user may then send it again. Before
 *   sending again they look where the conversation is ("help" shows the question again): if the
 *   question is already the next one, the turn had landed after all and is not sent twice. A step
 *   whose check failed inside the flow may also have landed on the question the flow goes back
 *   to after a failed check (`onServiceFailure`): the user answers again from there.
 *
 * Any other reply breaks the rules and is returned as a violation with the transcript.
 */

export interface Step {
  say: string;
  /** The question the bot must ask once the answer is taken. */
  then: RegExp;
  /**
   * Saying it again is harmless (confirming a submitted registration says it is already
   * submitted, with its reference): after a failure it is simply sent again.
   */
  idempotent?: boolean;
  /**
   * Where the flow goes when the check this answer starts cannot be made (a service was
   * unavailable): the question it asks then, and the step to carry on from.
   */
  onServiceFailure?: { then: RegExp; resumeAt: number };
}

export const TOLD_FAILED =
  /briefly unavailable|still working on your previous message|something went wrong|could not check that just now|could not be submitted just now|coming faster than I can take them/i;

/**
 * The tests type faster than people do (a whole registration in seconds): the per-conversation
 * and per-user rate limits stay on, set high enough not to slow them down.
 */
export const FAST_TYPIST_LIMITS = { RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST: '100', USER_RATE_LIMIT_PER_MINUTE: '600', USER_RATE_LIMIT_BURST: '100' };

const member = (n: number, q: string) => new RegExp(`^Step 3 of 4 · Members \\(${n} of 10\\)\\n${q}`);

/** Care providers in the embedded directory that may register, with short letter-only towns. */
export function registrableCareProviders(): Organisation[] {
  const data = JSON.parse(readFileSync(path.join(REPO_ROOT, 'adapters', 'data', 'organisations.json'), 'utf8')) as {
    fixtures: string[];
    organisations: Organisation[];
  };
  return data.organisations.filter(
    (o) =>
      o.kind === 'care' &&
      !o.hasSharedMailbox &&
      !o.hasPendingRegistration &&
      !data.fixtures.includes(o.odsCode) &&
      /^[A-Za-z]{3,10}$/.test(o.address.town),
  );
}

export interface RegistrationScript {
  organisation: Organisation;
  members: [TypedMember, TypedMember];
  steps: Step[];
}

/** The steps of one registration; `series` (0–99) makes the members' emails and mobiles unique. */
export function registrationScript(organisation: Organisation, series: number): RegistrationScript {
  const owner = inventedMember(0, series);
  const second = inventedMember(1, series);
  const o = organisation;
  const steps: Step[] = [
    { say: 'register', then: /^Before you start · check 1 of 6\n/ },
    { say: 'care', then: /^Before you start · check 2 of 6\n/ },
    { say: 'no', then: /^Before you start · check 3 of 6\n/ },
    { say: 'yes', then: /^Before you start · check 4 of 6\n/ },
    { say: 'no', then: /^Before you start · check 5 of 6\n/ },
    { say: 'yes', then: /^Before you start · all checks done\./ },
    { say: 'continue', then: /^Step 1 of 4 · Organisation details\nWhat is your organisation's postcode\?/ },
    { say: o.address.postcode, then: /^Step 1 of 4 · Organisation details\nThese care providers are registered at / },
    { say: o.odsCode, then: /^Step 2 of 4 · Verification\nWhat is your CQC location ID\?/ },
    { say: o.cqcLocationId, then: /^Step 2 of 4 · Verification\nWhat is your CQC contact ID/ },
    {
      say: o.cqcContactId,
      then: /^Step 3 of 4 · Town and members\n.* is verified\. What is its postcode town/,
      // A verification that could not be made asks for the CQC location ID again.
      onServiceFailure: { then: /^Step 2 of 4 · Verification\nWhat is your CQC location ID\?/, resumeAt: -1 },
    },
    { say: o.address.town.toLowerCase(), then: /^Step 3 of 4 · Town and members\nYour shared mailbox address will be:\n/ },
    { say: 'continue', then: member(1, 'First, the shared mailbox owner') },
    ...memberSteps(1, owner, 'Mrs', 'Registered Manager'),
    { say: 'add another', then: member(2, 'What is their title\\?') },
    ...memberSteps(2, second, 'Mr', 'Nurse'),
    { say: 'no', then: member(2, 'Should .+ be added to the shared mailbox\\?') },
    { say: 'no', then: member(2, 'The people who will get NHSmail accounts:') },
    { say: 'done', then: /^Step 4 of 4 · Review and confirm\n/ },
    {
      say: 'confirm and finish',
      then: /^Registration submitted\n.*Your reference is \*{0,2}REG-[A-Z2-9]{8}\*{0,2}\./s,
      idempotent: true,
    },
  ];
  for (const step of steps) {
    if (step.onServiceFailure?.resumeAt === -1) step.onServiceFailure.resumeAt = steps.findIndex((s) => s.say === o.cqcLocationId);
  }
  return { organisation, members: [owner, second], steps };
}

function memberSteps(n: number, m: TypedMember, title: string, role: string): Step[] {
  const name = `${m.firstName} ${m.lastName}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [
    { say: title, then: member(n, 'What is their first name\\?') },
    { say: m.firstName, then: member(n, `What is ${m.firstName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'s last name\\?`) },
    { say: m.lastName, then: member(n, `What is ${name}'s business or personal email address\\?`) },
    { say: m.email, then: member(n, `What is ${name}'s UK mobile number\\?`) },
    { say: m.mobile, then: member(n, `What is ${name}'s role\\?`) },
    {
      say: role,
      then: n === 1 ? member(1, 'The people who will get NHSmail accounts:') : member(n, `Should ${name} also be a shared mailbox owner\\?`),
    },
  ];
}

export interface DriveResult {
  /** Turns acknowledged (one per step, plus the conversation start). */
  acknowledged: number;
  /** Replies that told the user a turn failed (or no answer at all). */
  toldFailed: number;
  /** Of those, turns that had landed anyway (seen by looking before sending again). */
  landedAnyway: number;
  /** Steps sent again after being told they failed. */
  resent: number;
  /** The reference the last reply gave. */
  reference?: string;
  violations: string[];
}

export interface DriveOptions {
  /** Called after every acknowledged turn (to trigger a failover part-way). */
  onAcknowledged?: () => void;
  /** Gives up on a step after this long without getting it through (a stuck topology). Default 60 s, scaled for the machine's load. */
  giveUpAfterMs?: number;
  /** Pause before trying again after a failure. Default 250 ms. */
  retryPauseMs?: number;
}

async function attempt(send: () => Promise<SendResult>): Promise<{ ok: true; result: SendResult } | { ok: false; why: string }> {
  try {
    const result = await send();
    if (result.status !== 200) return { ok: false, why: `HTTP ${result.status}` };
    if (result.replies.length === 0) return { ok: false, why: 'no reply' };
    if (TOLD_FAILED.test(texts(result).join('\n'))) return { ok: false, why: texts(result).join(' / ') };
    return { ok: true, result };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  }
}

/** A user of their own per conversation, as real traffic is (each user has a rate limit of their own). */
function asOwnUser(chat: Chat) {
  const user = { id: `user-${chat.id}`, name: 'User' };
  return {
    start: () => chat.post({ ...chat.channel.conversationStart(chat.id), from: user, membersAdded: [user, { id: 'bot', name: 'Bot' }] }),
    say: (text: string) => chat.post(chat.channel.message(chat.id, text, { from: user })),
  };
}

/** Opens the conversation and types every step, as described at the top of this file. */
export async function driveRegistration(chat: Chat, script: RegistrationScript, options: DriveOptions = {}): Promise<DriveResult> {
  const user = asOwnUser(chat);
  const giveUpAfter = options.giveUpAfterMs ?? scaled(60_000);
  const pause = options.retryPauseMs ?? 250;
  const outcome: DriveResult = { acknowledged: 0, toldFailed: 0, landedAnyway: 0, resent: 0, violations: [] };
  const log: string[] = [];
  const violation = (message: string): DriveResult => {
    outcome.violations.push(`${chat.id}: ${message}\n  transcript:\n    ${log.slice(-12).join('\n    ')}`);
    return outcome;
  };
  const acknowledge = () => {
    outcome.acknowledged++;
    options.onAcknowledged?.();
  };

  // The greeting: a new conversation cannot be half-opened, so it is simply tried again.
  for (const started = Date.now(); ; ) {
    const opened = await attempt(() => user.start());
    if (opened.ok) {
      log.push(`(start) → ${lastText(opened.result).split('\n')[0]}`);
      if (!/What would you like to do\?/.test(lastText(opened.result))) return violation(`greeting was ${lastText(opened.result)}`);
      acknowledge();
      break;
    }
    outcome.toldFailed++;
    if (Date.now() - started > giveUpAfter) return violation(`could not open the conversation: ${opened.why}`);
    await sleep(pause);
  }

  const { steps } = script;
  for (let index = 0; index < steps.length; ) {
    const step = steps[index]!;
    const before = index === 0 ? /What would you like to do\?/ : steps[index - 1]!.then;
    const started = Date.now();
    let next: number | undefined;
    while (next === undefined) {
      if (Date.now() - started > giveUpAfter) return violation(`gave up on "${step.say}" after ${giveUpAfter} ms`);
      const sent = await attempt(() => user.say(step.say));
      if (sent.ok) {
        const question = lastText(sent.result);
        log.push(`"${step.say}" → ${question.split('\n').slice(0, 2).join(' | ')}`);
        if (!step.then.test(question)) return violation(`after "${step.say}" expected ${step.then} but the bot asked:\n${question}`);
        acknowledge();
        if (index === steps.length - 1) outcome.reference = /REG-[A-Z2-9]{8}/.exec(texts(sent.result).join('\n'))?.[0];
        next = index + 1;
        break;
      }
      outcome.toldFailed++;
      log.push(`"${step.say}" → told failed (${sent.why.slice(0, 90)})`);
      if (step.idempotent) {
        outcome.resent++;
        await sleep(pause);
        continue;
      }
      // Where is the conversation? Ask until the bot answers.
      for (;;) {
        if (Date.now() - started > giveUpAfter) return violation(`could not see where the conversation is after "${step.say}" failed`);
        await sleep(pause);
        const looked = await attempt(() => user.say('help'));
        if (!looked.ok) {
          outcome.toldFailed++;
          continue;
        }
        const question = lastText(looked.result);
        log.push(`"help" → ${question.split('\n').slice(0, 2).join(' | ')}`);
        if (step.then.test(question)) {
          // The turn had landed: the user sees the next question and does not send it again.
          outcome.landedAnyway++;
          acknowledge();
          next = index + 1;
        } else if (step.onServiceFailure?.then.test(question)) {
          // The turn landed on the flow's way of saying its check could not be made.
          outcome.landedAnyway++;
          acknowledge();
          next = step.onServiceFailure.resumeAt;
        } else if (before.test(question)) {
          outcome.resent++;
        } else {
          return violation(`after "${step.say}" failed, "help" showed neither ${before} nor ${step.then}:\n${question}`);
        }
        break;
      }
    }
    index = next;
  }
  return outcome;
}

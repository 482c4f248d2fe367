import type { AnyMachineSnapshot } from 'xstate';
import { statePath, stepCount, stepMetaOf } from '../../machines/flow';
import type { MemberEntryContext } from '../../machines/memberEntry';
import { MAX_MEMBERS, MIN_MEMBERS, type QuestionId, type RegistrationContext, type RegistrationStep, registrationMachine } from '../../machines/registration';
import type { FormState } from '../cards';
import { MEMBER_STEPS, type MemberEntryStep, type MemberView, memberProblemText, parseMemberCard } from '../memberEntry';
import { fieldQuestion, hintOf, type Step, type Steps } from '../step';
import { normalise } from '../parsing';
import { formatDate, quote } from '../text';
import type { FlowDialog, FlowParse, Reply } from '../types';
import { CHECK_STEPS, checksProgress } from './checks';
import { AFTER_VERIFICATION, serviceProblem } from './common';
import { MEMBER_LIST_STEPS, listProblem } from './members';
import { ORGANISATION_STEPS, organisationProblem } from './organisation';
import { AGAIN_LABEL, REVIEW_STEPS, reviewProblem } from './review';
import { TOWN_STEPS, townProblem } from './town';
import { VERIFICATION_STEPS, verificationProblem } from './verification';

/**
 * How the registration talks (SPEC §1): one `Step` per state of machines/registration, the
 * compiler checking that every state has its wording; the member being entered is worded by
 * dialogs/memberEntry.
 */

/** The registration's states worded here (the member being entered is worded by dialogs/memberEntry). */
export type ListedStep = Exclude<RegistrationStep, 'members.entering'>;

export const STEPS: Steps<ListedStep, RegistrationContext> = {
  ...CHECK_STEPS,
  ...ORGANISATION_STEPS,
  ...VERIFICATION_STEPS,
  ...TOWN_STEPS,
  ...MEMBER_LIST_STEPS,
  ...REVIEW_STEPS,
};

const STEP_TOTAL = stepCount(registrationMachine);

type At =
  | { kind: 'registration'; path: ListedStep; step: Step<RegistrationContext>; view: RegistrationContext; c: RegistrationContext; header: string }
  | { kind: 'member'; path: MemberEntryStep; step: Step<MemberView>; view: MemberView; c: RegistrationContext; m: MemberEntryContext; header: string };

function header(snapshot: AnyMachineSnapshot): string {
  const meta = stepMetaOf(snapshot);
  if (!meta) return '';
  return meta.step ? `Step ${meta.step} of ${STEP_TOTAL} · ${meta.title}` : meta.title;
}

/** Where the registration is: its step and what that step speaks about. Throws for a state without wording. */
function at(snapshot: AnyMachineSnapshot): At {
  const c = snapshot.context as RegistrationContext;
  const path = statePath(snapshot.value);
  if (path === 'members.entering') {
    const child = (snapshot.children as Record<string, { getSnapshot(): AnyMachineSnapshot } | undefined>).member?.getSnapshot();
    const memberPath = statePath(child?.value) as MemberEntryStep;
    const step = MEMBER_STEPS[memberPath];
    if (!child || !step) throw new Error(`no wording for member entry state ${memberPath}`);
    const m = child.context as MemberEntryContext;
    const editing = c.entry?.memberId ? c.members.findIndex((x) => x.id === c.entry!.memberId) : -1;
    const number = editing >= 0 ? editing + 1 : c.members.length + 1;
    const where = `${header(snapshot)} (${number} of ${MAX_MEMBERS})${m.editing ? ' · changing a detail' : ''}`;
    return { kind: 'member', path: memberPath, step, view: { m, heading: where }, c, m, header: where };
  }
  const step = STEPS[path as ListedStep];
  if (!step) throw new Error(`no wording for registration state ${path}`);
  return { kind: 'registration', path: path as ListedStep, step, view: c, c, header: `${header(snapshot)}${step.where?.(c) ?? ''}` };
}

const call = <T>(a: At, f: (step: Step<any>, view: any) => T): T => f(a.step, a.view); // eslint-disable-line @typescript-eslint/no-explicit-any

const LATER = ['organisation details', 'verification', 'town and members', 'review and confirm'];

function progress(a: At): { about?: string; done: string[]; left: string[] } {
  const c = a.c;
  const o = c.organisation;
  const about = o ? `registering ${quote(o.name)} (ODS code ${o.odsCode}) for NHSmail` : 'registering an organisation for NHSmail';
  if (a.kind === 'registration' && a.path.startsWith('checks.') && a.path !== 'checks.passed') {
    const question = a.path.slice('checks.'.length) as QuestionId;
    return /Stop$/.test(question) ? { about, done: [], left: [] } : { about, ...checksProgress(question, c.answers, LATER) };
  }
  const done = ['the checks before you start'];
  if (!o) return { about, done, left: LATER };
  done.push(`organisation details (${quote(o.name)})`);
  if (!c.verifiedBy) {
    const waiting = c.passcode
      ? `verification: the passcode sent ${c.passcode.channel === 'email' ? `by email to ${c.passcode.sentTo}` : 'by post'} on ${formatDate(c.passcode.issuedAt)} (type it when you have it)`
      : 'verification';
    return { about, done, left: [waiting, ...LATER.slice(2)] };
  }
  done.push('verification');
  if (c.submitted) return { about, done: [...done, 'town and members', `review (reference ${c.submitted.reference})`], left: [] };
  if (!c.mailboxTown || a.path.startsWith('town.')) return { about, done, left: LATER.slice(2) };
  done.push(`town (${quote(c.town ?? '')})`);
  const people = c.members.map((m) => quote(`${m.firstName} ${m.lastName}`)).join(', ');
  if (c.members.length > 0) done.push(`${c.members.length} ${c.members.length === 1 ? 'person' : 'people'} added (${people})`);
  if (a.path.startsWith('review.')) return { about, done, left: ['review and confirm'] };
  return { about, done, left: [c.members.length >= MIN_MEMBERS ? 'any more members' : 'the members', 'review and confirm'] };
}

export const registrationDialog: FlowDialog = {
  id: 'registration',
  menuLabel: 'Register my organisation for NHSmail',
  menuSynonyms: ['register', 'registration', 'register my organisation', 'join', 'join nhsmail', 'sign up', 'apply', 'new registration', 'register for nhsmail', 'register organisation'],
  offer: 'register a care home, home care provider or dental practice for NHSmail (a shared mailbox and 2 to 10 staff accounts)',
  noun: 'registration',
  againLabel: AGAIN_LABEL,
  againSynonyms: [
    'register another',
    'register another organisation',
    'register another organization',
    'another organisation',
    'another registration',
    'new registration',
    'register a different organisation',
    'register another home',
    'register another site',
    'register another practice',
    'register another care home',
    'register',
    'registration',
  ],

  asksAgain: (text) => {
    const t = normalise(text);
    if (/\b(status|progress|where|when|check|reference)\b/.test(t)) return false;
    return (
      /\b(register|registration|do|start|make|add|sign up|begin)\b.*\b(another|new|different|second|next|other|one more|further)\b/.test(t) ||
      /^(another|a new|new|next|the next|a second|a different|one more)( one| organisation| organization| registration| home| care home| site| practice| location| branch| service)?( please)?$/.test(t)
    );
  },

  intro: () => 'Registering takes about 10 minutes. First, a few quick checks to make sure this is the right route for you.',

  parse(text, snapshot): FlowParse {
    const a = at(snapshot);
    const parsed = call(a, (step, view) => step.parse?.(text, view));
    if (parsed && !('invalid' in parsed) && !('say' in parsed)) return parsed;
    return fieldQuestion(text, a.step.field) ?? parsed;
  },

  parseCard(value, snapshot) {
    const a = at(snapshot);
    if (a.kind === 'member') return parseMemberCard(value, a.m);
    return a.step.card?.(value, a.c);
  },

  prompt(snapshot, form?: FormState): Reply {
    const a = at(snapshot);
    const reply = call(a, (step, view) => step.prompt(view, form) as Reply);
    const card = call(a, (step, view) => step.form?.(view, form, a.header, reply.text));
    return { ...reply, text: a.header ? `${a.header}\n${reply.text}` : reply.text, ...(card ? { card } : {}) };
  },

  problem(snapshot) {
    const a = at(snapshot);
    if (a.kind === 'member') return memberProblemText(a.m);
    const c = a.c;
    return organisationProblem(c) ?? verificationProblem(c) ?? townProblem(c) ?? listProblem(c) ?? reviewProblem(c) ?? serviceProblem(c);
  },

  hint(snapshot) {
    const a = at(snapshot);
    return call(a, (step, view) => hintOf(step, view));
  },

  help(snapshot) {
    const a = at(snapshot);
    const help = call(a, (step, view) => step.help?.(view) as string | undefined);
    if (help) return help;
    if (a.step.field) return `${a.step.field.why} ${a.step.field.whereToFind}`;
    return 'You can say "back" to change your last answer, "start again", or "menu". For help with NHSmail at any time, the national helpdesk is helpdesk@nhs.net or 0333 200 1133.';
  },

  previousAnswer(snapshot) {
    const a = at(snapshot);
    return call(a, (step, view) => step.previous?.(view) as string | undefined);
  },

  cannotGoBack(snapshot) {
    const a = at(snapshot);
    const noBack = a.step.noBack;
    if (noBack) return call(a, (_step, view) => (typeof noBack === 'string' ? noBack : noBack(view)));
    return a.c.verifiedBy ? AFTER_VERIFICATION : 'There is nothing to go back to from here.';
  },

  field(snapshot) {
    return at(snapshot).step.field;
  },

  organisationKind(snapshot) {
    const kind = (snapshot.context as RegistrationContext).answers.organisationKind;
    return kind === 'care' || kind === 'dental' ? kind : undefined;
  },

  progress(snapshot) {
    return progress(at(snapshot));
  },

  wouldLose(snapshot) {
    const c = snapshot.context as RegistrationContext;
    if (!c.verifiedBy || c.submitted || c.alreadyBeingProcessed) return undefined;
    const people = c.members.length ? ` and the ${c.members.length === 1 ? 'person' : `${c.members.length} people`} you have added` : '';
    return `the verification of ${quote(c.organisation?.name ?? 'your organisation')}${people}`;
  },

  isFinished(snapshot) {
    const path = statePath(snapshot.value);
    return path === 'review.submitted' || path === 'review.alreadyBeingProcessed';
  },
};

import type { AnyMachineSnapshot } from 'xstate';
import { statePath, stepMetaOf } from '../../machines/flow';
import type { MemberEntryContext } from '../../machines/memberEntry';
import { OWNER_VERIFICATION_LASTS_MS, type OwnerRequestsContext, type OwnerRequestsStep } from '../../machines/ownerRequests';
import type { OwnerVerificationContext } from '../../machines/ownerVerification';
import type { FormState } from '../cards';
import { MEMBER_STEPS, type MemberEntryStep, type MemberView, memberProblemText, parseMemberCard } from '../memberEntry';
import { VERIFICATION_STEPS, verificationProblemText, type VerificationStep, type VerificationView } from '../ownerVerification';
import { fieldQuestion, hintOf, type Step, type Steps } from '../step';
import { quote } from '../text';
import type { FlowDialog, FlowParse, Reply } from '../types';
import { CHOOSE_STEPS } from './chooseSteps';
import { LEAVER_STEPS, leaverProblem } from './leaverSteps';
import { OTHER_STEPS, otherProblem } from './otherSteps';
import { REVIEW_STEPS } from './reviewSteps';
import { KIND_NOUN, siteName } from './texts';

/**
 * How the shared mailbox owners' requests talk (SPEC §3): one step per state of
 * machines/ownerRequests (the compiler checks each has its wording); who is asking is worded by
 * dialogs/ownerVerification and a new starter's details by dialogs/memberEntry.
 */

export const OWNER_REQUESTS_FLOW_ID = 'ownerRequests';

export const STEPS: Steps<OwnerRequestsStep, OwnerRequestsContext> = { ...CHOOSE_STEPS, ...LEAVER_STEPS, ...OTHER_STEPS, ...REVIEW_STEPS };

type At =
  | { kind: 'flow'; path: OwnerRequestsStep; step: Step<OwnerRequestsContext>; view: OwnerRequestsContext; c: OwnerRequestsContext; header: string }
  | { kind: 'verification'; path: VerificationStep; step: Step<VerificationView>; view: VerificationView; c: OwnerRequestsContext; v: OwnerVerificationContext; header: string }
  | { kind: 'member'; path: MemberEntryStep; step: Step<MemberView>; view: MemberView; c: OwnerRequestsContext; m: MemberEntryContext; header: string };

const childOf = (snapshot: AnyMachineSnapshot, id: string) =>
  (snapshot.children as Record<string, { getSnapshot(): AnyMachineSnapshot } | undefined>)[id]?.getSnapshot();

function heading(snapshot: AnyMachineSnapshot, c: OwnerRequestsContext): string {
  const title = stepMetaOf(snapshot)?.title ?? 'Staff changes';
  return c.site ? `${title} · ${c.site.site.name}` : title;
}

/** Where the flow is: its step and what that step speaks about. Throws for a state without wording. */
function at(snapshot: AnyMachineSnapshot): At {
  const c = snapshot.context as OwnerRequestsContext;
  const path = statePath(snapshot.value);
  if (path === 'verifying') {
    const child = childOf(snapshot, 'verification');
    const childPath = statePath(child?.value) as VerificationStep;
    const step = VERIFICATION_STEPS[childPath];
    if (!child || !step) throw new Error(`no wording for owner verification state ${childPath}`);
    const v = child.context as OwnerVerificationContext;
    return { kind: 'verification', path: childPath, step, view: { v, now: c.now }, c, v, header: heading(snapshot, c) };
  }
  if (path === 'newStarter.entering') {
    const child = childOf(snapshot, 'member');
    const childPath = statePath(child?.value) as MemberEntryStep;
    const step = MEMBER_STEPS[childPath];
    if (!child || !step) throw new Error(`no wording for member entry state ${childPath}`);
    const m = child.context as MemberEntryContext;
    const header = heading(snapshot, c);
    return { kind: 'member', path: childPath, step, view: { m, heading: header }, c, m, header };
  }
  const step = STEPS[path as OwnerRequestsStep];
  if (!step) throw new Error(`no wording for owners' requests state ${path}`);
  return { kind: 'flow', path: path as OwnerRequestsStep, step, view: c, c, header: `${heading(snapshot, c)}${step.where?.(c) ?? ''}` };
}

const call = <T>(a: At, f: (step: Step<any>, view: any) => T): T => f(a.step, a.view); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Said once after the person is verified, before the next question. */
function verifiedNotice(c: OwnerRequestsContext, path: string): string | undefined {
  if (c.notice !== 'verified' || !c.person || !c.identity || path === 'notOwner') return undefined;
  const how = c.identity.via === 'teamsSignIn' ? `You are signed in to Teams as ${c.person.address}` : `Thank you: that code is right, so you are ${c.person.address}`;
  const hours = OWNER_VERIFICATION_LASTS_MS / 3_600_000;
  const owner = c.site && c.person.ownerOf.some((s) => s.odsCode === c.site!.site.odsCode) ? `, a shared mailbox owner of ${siteName(c)}` : '';
  return `${how}${owner}. That holds in this chat for ${hours} hours.`;
}

const flowProblem = (c: OwnerRequestsContext) => leaverProblem(c) ?? otherProblem(c) ?? serviceProblem(c);

function serviceProblem(c: OwnerRequestsContext): string | undefined {
  return c.problem === 'serviceUnavailable' ? 'Sorry, I could not check that just now: one of the services I use did not answer. Please try again in a moment.' : undefined;
}

export const ownerRequestsDialog: FlowDialog = {
  id: OWNER_REQUESTS_FLOW_ID,
  menuLabel: 'Leavers, new starters and owners',
  // Only names of the flow itself: "Tom has left" or "we have a new starter" are routed (dialogs/routing.ts) to the right request.
  menuSynonyms: ['staff changes', 'staff change', 'owner requests', 'shared mailbox owner requests', 'leavers new starters and owners', 'leavers and new starters', 'leavers and joiners'],
  againLabel: 'Another staff change',
  againSynonyms: ['another staff change', 'another request', 'another change', 'staff changes', 'leavers new starters and owners'],
  offer: 'tell NAS about a leaver, a new starter or a joiner, hand over the shared mailbox, or check who has access to it (shared mailbox owners)',
  noun: 'request',

  intro: () => 'Staff changes for your shared mailbox. Nothing is sent to NAS until you have seen exactly what it says and confirmed it.',

  parse(text, snapshot): FlowParse {
    const a = at(snapshot);
    // A bare "why?" asks why the field is needed, as "why do you need that?" does.
    const why = a.step.field && /^\s*why\s*\??\s*$/i.test(text) ? { say: a.step.field.why } : undefined;
    if (why) return why;
    let parsed = call(a, (step, view) => step.parse?.(text, view) as FlowParse);
    // A button's number ("1") is its label, wherever the step did not read it itself.
    const number = /^\s*#?(\d{1,2})\s*[.)]?\s*$/.exec(text)?.[1];
    if (!parsed && number) {
      const label = call(a, (step, view) => (step.prompt(view) as Reply).choices?.[Number(number) - 1]);
      if (label) parsed = call(a, (step, view) => step.parse?.(label, view) as FlowParse);
    }
    if (parsed && !('invalid' in parsed) && !('say' in parsed)) return parsed;
    return fieldQuestion(text, a.step.field) ?? parsed;
  },

  parseCard(value, snapshot) {
    const a = at(snapshot);
    if (a.kind === 'member') return parseMemberCard(value, a.m);
    return undefined;
  },

  prompt(snapshot, form?: FormState, again?: boolean): Reply {
    const a = at(snapshot);
    const reply = call(a, (step, view) => step.prompt(view, form) as Reply);
    // Just verified: the notice first, then why this question is asked (it was not said before it).
    const notice = a.kind === 'flow' && !again ? verifiedNotice(a.c, a.path) : undefined;
    const problem = notice ? flowProblem(a.c) : undefined;
    const text = [a.header, notice, problem, reply.text].filter(Boolean).join('\n');
    const card = call(a, (step, view) => step.form?.(view, form, a.header, reply.text));
    return { ...reply, text, ...(card ? { card } : {}) };
  },

  problem(snapshot) {
    const a = at(snapshot);
    if (a.kind === 'verification') return verificationProblemText(a.v, a.c.now);
    if (a.kind === 'member') return memberProblemText(a.m);
    // Said with the notice of the verification, in the prompt.
    if (a.kind === 'flow' && verifiedNotice(a.c, a.path)) return undefined;
    return flowProblem(a.c);
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
    return `${call(a, (step, view) => hintOf(step, view))} You can also say "back" to change your last answer, "cancel", or "menu".`;
  },

  previousAnswer(snapshot) {
    const a = at(snapshot);
    return call(a, (step, view) => step.previous?.(view) as string | undefined);
  },

  cannotGoBack(snapshot) {
    const a = at(snapshot);
    const noBack = a.step.noBack;
    if (noBack) return call(a, (_step, view) => (typeof noBack === 'string' ? noBack : noBack(view)));
    return 'There is nothing to go back to from here.';
  },

  field(snapshot) {
    return at(snapshot).step.field;
  },

  progress(snapshot) {
    const c = snapshot.context as OwnerRequestsContext;
    const done: string[] = [];
    if (c.kind) done.push(`what it is (${KIND_NOUN[c.kind]})`);
    if (c.person) done.push(`who you are (${c.person.address})`);
    if (c.site) done.push(`the site (${quote(c.site.site.name)})`);
    if (c.result) return { done: [...done, `sent to NAS (${c.result.requests.map((r) => r.reference).join(', ')})`], left: [] };
    const path = statePath(snapshot.value);
    return { done, left: path.startsWith('review.') ? ['confirming it'] : ['the details', 'checking and confirming'] };
  },

  wouldLose(snapshot) {
    const c = snapshot.context as OwnerRequestsContext;
    const path = statePath(snapshot.value);
    // At a stop (not an owner, an account looked after locally) nothing has been entered yet.
    if (c.result || !c.person || !c.kind || snapshot.hasTag('stop') || path === 'choose') return undefined;
    if (c.kind === 'leaver' && c.leaver.entries.length === 0 && !c.starter) return undefined;
    return `the ${KIND_NOUN[c.kind]} you have started (nothing has been sent to NAS)`;
  },

  isFinished(snapshot) {
    return statePath(snapshot.value) === 'review.submitted';
  },
};

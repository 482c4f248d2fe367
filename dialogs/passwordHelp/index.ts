import type { AnyMachineSnapshot } from 'xstate';
import type { PasswordHelpContext, PasswordHelpStep } from '../../machines/passwordHelp';
import { RESET_CODE_POLICY } from '../../machines/passwordHelp/rules';
import { codeProblemText, type CodeEntryWords } from '../codeEntry';
import type { FlowDialog, FlowParse, Reply } from '../types';
import { answer, fieldQuestion, hintOf, kindOf, type Step } from './common';
import { readTopic, vouchCode } from './read';
import { explainSteps } from './explainSteps';
import { displayMobile } from './messages';
import { resetSteps } from './resetSteps';
import { vouchSteps } from './vouchSteps';
import { quoteInline } from '../text';

/**
 * How the password help talks (SPEC §2): one step per state the user can be in, typed against the
 * machine's states (a state without wording does not compile), each with its prompt, its reader,
 * its hint and help, and the field it asks for. Why a step is asked again is machine state
 * (`problem`); this says it in words.
 */
export const PASSWORD_HELP_STEPS: { readonly [K in PasswordHelpStep]: Step } = { ...explainSteps, ...resetSteps, ...vouchSteps };

export const PASSWORD_HELP_FLOW_ID = 'passwordHelp';

/** The state a snapshot is in, as a dotted path (`reset.enterCode`). */
export function stepOf(snapshot: AnyMachineSnapshot): PasswordHelpStep {
  const path = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['', ''];
    return `${key}.${path(inner)}`;
  };
  return path(snapshot.value) as PasswordHelpStep;
}

function stepFor(snapshot: AnyMachineSnapshot): { step: Step; c: PasswordHelpContext } {
  const step = PASSWORD_HELP_STEPS[stepOf(snapshot)];
  if (!step) throw new Error(`password help has no wording for state ${stepOf(snapshot)}`);
  return { step, c: snapshot.context as PasswordHelpContext };
}

const CODE_WORDS: CodeEntryWords = {
  lockedFor: 'this account',
  sendVerb: 'text',
  validMinutes: RESET_CODE_POLICY.validForMs / 60_000,
  intervalMinutes: RESET_CODE_POLICY.minIntervalMs / 60_000,
};

/** Why the step is asked again, in words. */
export function problemText(c: PasswordHelpContext): string | undefined {
  const code = codeProblemText(c, CODE_WORDS, c.now);
  if (code) return code;
  switch (c.problem) {
    case 'vouchCodeNotFound':
      return 'That code does not match a request waiting for an answer. Please check it in the email and type it again.';
    case 'notAnOwner':
      return 'That code was sent to another shared mailbox owner: only they can use it, signed in as themselves.';
    default:
      return undefined;
  }
}

/**
 * An owner's code from the email, with the word "vouch" ("I got an email to vouch for Joseph,
 * code 4gv6 jctm 5xd9"), at any step: straight to the request it names (the machine takes it
 * anywhere), the code kept rather than asked for again.
 */
function vouchingAnywhere(text: string): FlowParse {
  const code = readTopic(text) === 'vouch' ? vouchCode(text) : undefined;
  return code ? answer('vouchCode', code) : undefined;
}

export const passwordHelpDialog: FlowDialog = {
  id: PASSWORD_HELP_FLOW_ID,
  menuLabel: 'Password and account help',
  // Only names of the help itself: "I forgot my password" is routed (dialogs/routing.ts) to the right step.
  menuSynonyms: ['password help', 'account help', 'password and account help', 'passwords', 'login help', 'log in help', 'sign in help'],
  offer: 'get back into NHSmail: a forgotten password, a locked account, your first login',

  intro: () => 'Password and account help. I never need your password, so please never type it here.',

  noun: 'password help request',
  // Once a request is raised (or the help has ended), the menu entry starts afresh.
  againLabel: 'Password and account help',

  parse(text: string, snapshot: AnyMachineSnapshot): FlowParse {
    const { step, c } = stepFor(snapshot);
    // A bare "why?" asks why the field is needed, as "why do you need that?" does.
    const why = step.field && /^\s*why\s*\??\s*$/i.test(text) ? { say: step.field.why } : undefined;
    return why ?? fieldQuestion(text, step.field) ?? vouchingAnywhere(text) ?? step.parse?.(text, c);
  },

  prompt(snapshot: AnyMachineSnapshot): Reply {
    const { step, c } = stepFor(snapshot);
    return step.prompt(c);
  },

  hint(snapshot: AnyMachineSnapshot): string {
    const { step, c } = stepFor(snapshot);
    return hintOf(step, c);
  },

  problem(snapshot: AnyMachineSnapshot): string | undefined {
    return problemText(snapshot.context as PasswordHelpContext);
  },

  help(snapshot: AnyMachineSnapshot): string {
    const { step, c } = stepFor(snapshot);
    return step.help?.(c) ?? hintOf(step, c);
  },

  previousAnswer(snapshot: AnyMachineSnapshot): string | undefined {
    const { step, c } = stepFor(snapshot);
    return step.previous?.(c);
  },

  cannotGoBack(snapshot: AnyMachineSnapshot): string {
    const { step, c } = stepFor(snapshot);
    const noBack = typeof step.noBack === 'function' ? step.noBack(c) : step.noBack;
    return noBack ?? 'There is nothing to go back to from here.';
  },

  field(snapshot: AnyMachineSnapshot) {
    return stepFor(snapshot).step.field;
  },

  organisationKind(snapshot: AnyMachineSnapshot) {
    return kindOf(snapshot.context as PasswordHelpContext);
  },

  /** A request raised, or an owner's answer recorded: asking for password help again starts afresh. */
  isFinished(snapshot: AnyMachineSnapshot): boolean {
    return snapshot.hasTag('done');
  },

  progress(snapshot: AnyMachineSnapshot): { done: string[]; left: string[] } {
    const c = snapshot.context as PasswordHelpContext;
    const state = stepOf(snapshot);
    const done: string[] = [];
    if (c.address) done.push(`the NHSmail address (${quoteInline(c.address)})`);
    if (c.newMobile) done.push(`the mobile for your temporary password (${displayMobile(c.newMobile)})`);
    if (c.vouch) done.push('your shared mailbox owners asked to vouch for you');
    const left =
      state === 'reset.enterCode'
        ? ['the code texted to your mobile']
        : state === 'reset.owner.waiting'
          ? ['an owner’s answer (I will tell you here)']
          : state.startsWith('reset.') && !['reset.verified', 'reset.alreadyRequested', 'reset.hostedLocally', 'reset.leaver'].includes(state)
            ? ['checking it is you']
            : [];
    return { done, left };
  },
};

import { getShortestPaths } from '@xstate/graph';
import { createActor } from 'xstate';
import {
  Answer,
  PrerequisiteAnswers,
  RegistrationEvent,
  registrationMachine,
  verificationRoute,
} from '../../machines/registration';
import { statePath } from '../../machines/flow';
import { coverageOf } from '../helpers/coverage';
import { INPUT } from '../helpers/registrationDriver';

const coverage = coverageOf(registrationMachine);
export const QUESTIONNAIRE_STATES = ['organisationKind', 'hospiceStop', 'existingAccount', 'existingAccountStop', 'toolkit', 'toolkitStop', 'otpInHand', 'cqcContactId', 'otpDelivery', 'passed'].map((s) => `checks.${s}`);
const inQuestionnaire = (id: string) => id.startsWith('registration.checks');

const answer = (a: Answer): RegistrationEvent => ({ type: 'ANSWER', answer: a });

/** Every answer the questionnaire can be given, plus "back". */
const EVENTS: RegistrationEvent[] = [
  answer({ question: 'organisationKind', value: 'care' }),
  answer({ question: 'organisationKind', value: 'dental' }),
  answer({ question: 'organisationKind', value: 'hospice' }),
  ...(['existingAccount', 'toolkit', 'otpInHand', 'cqcContactId'] as const).flatMap((question) => [
    answer({ question, value: true }),
    answer({ question, value: false }),
  ]),
  answer({ question: 'otpDelivery', value: 'email' }),
  answer({ question: 'otpDelivery', value: 'post' }),
  { type: 'BACK' },
];


function run(events: RegistrationEvent[]) {
  const actor = createActor(registrationMachine, { input: INPUT, inspect: coverage.inspect }).start();
  events.forEach((event) => actor.send(event));
  const snapshot = actor.getSnapshot();
  actor.stop();
  return { ...snapshot, value: statePath(snapshot.value), context: snapshot.context };
}

const care = answer({ question: 'organisationKind', value: 'care' });
const noAccount = answer({ question: 'existingAccount', value: false });
const toolkitDone = answer({ question: 'toolkit', value: true });
const yesNo = (question: 'otpInHand' | 'cqcContactId', value: boolean) => answer({ question, value });

describe('the pre-requisite questionnaire (SPEC §1.1)', () => {

  it('asks the questions in the order the guides give', () => {
    const order: string[] = [];
    const actor = createActor(registrationMachine, { input: INPUT, inspect: coverage.inspect }).start();
    order.push(statePath(actor.getSnapshot().value));
    for (const event of [care, noAccount, toolkitDone, yesNo('otpInHand', false), yesNo('cqcContactId', false)]) {
      actor.send(event);
      order.push(statePath(actor.getSnapshot().value));
    }
    expect(order).toEqual(['organisationKind', 'existingAccount', 'toolkit', 'otpInHand', 'cqcContactId', 'otpDelivery'].map((s) => `checks.${s}`));
  });

  it('stops a hospice: hospices join through the third-party process', () => {
    expect(run([answer({ question: 'organisationKind', value: 'hospice' })]).value).toBe('checks.hospiceStop');
  });

  it('stops someone who already has an NHSmail account: no duplicate accounts', () => {
    expect(run([care, answer({ question: 'existingAccount', value: true })]).value).toBe('checks.existingAccountStop');
  });

  it('stops an organisation whose toolkit is not published', () => {
    expect(run([care, noAccount, answer({ question: 'toolkit', value: false })]).value).toBe('checks.toolkitStop');
  });

  it('asks how to send a passcode only when there is neither a passcode nor a CQC contact ID', () => {
    expect(run([care, noAccount, toolkitDone, yesNo('otpInHand', false), yesNo('cqcContactId', false)]).value).toBe('checks.otpDelivery');
    expect(run([care, noAccount, toolkitDone, yesNo('otpInHand', true), yesNo('cqcContactId', false)]).value).toBe('checks.passed');
    expect(run([care, noAccount, toolkitDone, yesNo('otpInHand', false), yesNo('cqcContactId', true)]).value).toBe('checks.passed');
  });

  it('ignores an answer meant for another question: the flow never advances on it', () => {
    const snapshot = run([care, answer({ question: 'toolkit', value: true })]);
    expect(snapshot.value).toBe('checks.existingAccount');
    expect(snapshot.context.answers.toolkitPublished).toBeUndefined();
  });

  it('goes back one question at a time and keeps the earlier answers', () => {
    const snapshot = run([care, noAccount, toolkitDone, { type: 'BACK' }]);
    expect(snapshot.value).toBe('checks.toolkit');
    expect(snapshot.context.answers).toEqual({ organisationKind: 'care', hasNhsmailAccount: false, toolkitPublished: true });
    expect(run([{ type: 'BACK' }]).value).toBe('checks.organisationKind');
  });

  it('goes back from each stop to the question that caused it', () => {
    expect(run([answer({ question: 'organisationKind', value: 'hospice' }), { type: 'BACK' }]).value).toBe('checks.organisationKind');
    expect(run([care, answer({ question: 'existingAccount', value: true }), { type: 'BACK' }]).value).toBe('checks.existingAccount');
    expect(run([care, noAccount, answer({ question: 'toolkit', value: false }), { type: 'BACK' }]).value).toBe('checks.toolkit');
  });

  it('goes back from the summary to the last question asked on the way', () => {
    const viaContactId = [care, noAccount, toolkitDone, yesNo('otpInHand', false), yesNo('cqcContactId', true)];
    expect(run([...viaContactId, { type: 'BACK' }]).value).toBe('checks.cqcContactId');
    const viaPost = [care, noAccount, toolkitDone, yesNo('otpInHand', false), yesNo('cqcContactId', false), answer({ question: 'otpDelivery', value: 'post' })];
    expect(run([...viaPost, { type: 'BACK' }]).value).toBe('checks.otpDelivery');
  });

  it('reaches every state along some path, and every path replays to the state it promises', () => {
    // One shortest path to every distinct (state, answers) pair the machine can reach.
    const paths = getShortestPaths(registrationMachine, { events: EVENTS, input: INPUT });
    expect(paths.length).toBeGreaterThan(10);
    console.log(`${paths.length} generated paths`);
    const reached = new Set<string>();
    for (const path of paths) {
      const events = (path.steps.map((step) => step.event) as { type: string }[]).filter((e) => e.type !== 'xstate.init') as RegistrationEvent[];
      const snapshot = run(events);
      expect(snapshot.value).toEqual(statePath(path.state.value));
      expect(snapshot.context).toEqual(path.state.context);
      reached.add(snapshot.value);
    }
    expect([...reached].sort()).toEqual([...QUESTIONNAIRE_STATES].sort());
    const report = coverage.report();
    expect(report.states.missing.filter(inQuestionnaire)).toEqual([]);
    // The questionnaire's own transitions; "continue" from the summary is the steps' business.
    expect(report.transitions.missing.filter(inQuestionnaire)).toEqual(['registration.checks.passed --CONTINUE#0']);
  });
});

describe('which verification route applies', () => {
  const table: [PrerequisiteAnswers, ReturnType<typeof verificationRoute>][] = [
    [{ otpInHand: true }, 'otp-in-hand'],
    [{ otpInHand: true, knowsCqcContactId: true }, 'otp-in-hand'],
    [{ otpInHand: false, knowsCqcContactId: true }, 'cqc-contact-id'],
    [{ otpInHand: false, knowsCqcContactId: false, otpDelivery: 'email' }, 'otp-by-email'],
    [{ otpInHand: false, knowsCqcContactId: false, otpDelivery: 'post' }, 'otp-by-post'],
    [{ otpInHand: false, knowsCqcContactId: false }, undefined],
  ];
  it.each(table)('%j → %s', (answers, route) => {
    expect(verificationRoute(answers)).toBe(route);
  });
});

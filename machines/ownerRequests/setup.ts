import { assign, fromPromise, sendTo, setup } from 'xstate';
import type { LeavingTo } from '../../adapters/nasRequests';
import { conversationOf, outputOf as output, sessionChange, type StepMeta } from '../flow';
import { memberEntryMachine, type MemberEntryInput, type MemberEntryOutput } from '../memberEntry';
import { ownerVerificationMachine, type OwnerVerificationInput, type OwnerVerificationOutput } from '../ownerVerification';
import type { Member } from '../registration/rules';
import {
  emptyLeaver,
  initialContext,
  isRequestKind,
  needsOwner,
  notProvided,
  type JoinerAccount,
  type OwnerRequestsContext,
  type OwnerRequestsEvent,
  type OwnerRequestsInput,
  type Problem,
  type Provider,
  type RequestKind,
  type SiteView,
  type SubmitOutcome,
} from './model';
import { accountAt, fullNameOf, resolvePeople } from './people';
import { planOf } from './plan';
import {
  fewerThanTwoKeepAccess,
  lastDayProblem,
  newOwnerCandidates,
  ownerIsLeaving,
  ownersStaying,
  siteIsFull,
  stillVerified,
} from './rules';

/**
 * The owners' requests' guards, actions and actors, declared once so that the statechart
 * (./machine.ts) is checked against them. Guards are named after the rule they apply.
 */

type Ctx = { context: OwnerRequestsContext; event: OwnerRequestsEvent };
const valueOf = (event: OwnerRequestsEvent): unknown => (event.type === 'ANSWER' ? event.answer.value : undefined);
/** The people an answer to "what is it about?" named ("Tom has left"), if any. */
const peopleOf = (event: OwnerRequestsEvent): string[] | undefined => {
  const people = event.type === 'ANSWER' ? (event.answer as { people?: unknown }).people : undefined;
  const typed = Array.isArray(people) ? people.filter((p): p is string => typeof p === 'string').slice(0, 10) : [];
  return typed.length ? typed : undefined;
};
const answerTo = (question: string) => ({ event }: Ctx) => event.type === 'ANSWER' && event.answer.question === question;
const answered = (question: string, value: unknown) => ({ event }: Ctx) => event.type === 'ANSWER' && event.answer.question === question && event.answer.value === value;
const kindIs = (...kinds: RequestKind[]) => ({ context }: Ctx) => !!context.kind && kinds.includes(context.kind);
const current = (c: OwnerRequestsContext) => c.leaver.entries[c.leaver.current];

/** The members a new starter is checked against: the site's owners (a dental practice has at most 2). */
export function memberEntryInput(context: OwnerRequestsContext): MemberEntryInput {
  const owners = (context.site?.accounts ?? []).filter((a) => a.access === 'owner' && a.status !== 'leaver');
  const others: Member[] = owners.map((o) => ({
    firstName: o.firstName,
    lastName: o.lastName,
    email: o.address,
    mobile: '',
    role: 'Other',
    sharedMailboxAccess: true,
    mailboxAdmin: true,
    owner: true,
  }));
  return {
    kind: context.site?.site.kind ?? 'care',
    others,
    fixedOwner: false,
    ...(context.starter ? { member: context.starter, editing: true } : {}),
  };
}

/** What the verification child starts from: an identity proved earlier in this conversation, if it still counts. */
export function verificationInput(context: OwnerRequestsContext): OwnerVerificationInput {
  const earlier = context.identity ?? context.session.verifiedIdentity;
  return { session: context.session, ...(stillVerified(earlier, context.now) ? { earlier } : {}) };
}

/** The current leaver's answer to "where are they going?". */
const withLeaving = (c: OwnerRequestsContext, leaving: LeavingTo) => ({
  leaver: { ...c.leaver, entries: c.leaver.entries.map((e, i) => (i === c.leaver.current ? { ...e, leaving } : e)) },
  notice: undefined,
  problem: undefined,
  problemDetail: undefined,
});

const setProblem = (problem: Problem, detail?: string[]) => ({ problem, ...(detail?.length ? { problemDetail: detail } : { problemDetail: undefined }) });

export const ownerRequests = setup({
  types: {
    context: {} as OwnerRequestsContext,
    events: {} as OwnerRequestsEvent,
    input: {} as OwnerRequestsInput,
    meta: {} as StepMeta,
  },
  actors: {
    ownerVerification: ownerVerificationMachine,
    memberEntry: memberEntryMachine,
    loadSite: notProvided('loadSite') as ReturnType<typeof fromPromise<SiteView, { odsCode: string }>>,
    findAccount: notProvided('findAccount') as ReturnType<typeof fromPromise<JoinerAccount | undefined, { address: string }>>,
    findProvider: notProvided('findProvider') as ReturnType<typeof fromPromise<Provider | undefined, { odsCode: string }>>,
    submitRequests: notProvided('submitRequests') as ReturnType<
      typeof fromPromise<SubmitOutcome, { plan: OwnerRequestsContext['plan'] & object; idempotencyKey: string; session: OwnerRequestsContext['session'] }>
    >,
  },
  actions: {
    /** Machines read no clock: the caller provides this. */
    noteTime: () => {
      throw new Error('the owners\' requests\' "noteTime" action was not provided');
    },
    clearProblem: assign({ notice: undefined, problem: undefined, problemDetail: undefined }),
    problem: assign({ notice: undefined, problem: (_, params: { problem: Problem }) => params.problem, problemDetail: undefined }),
    // "Tom has left" typed here: the leaver report starts with Tom.
    recordKind: assign(({ context, event }) => ({ kind: valueOf(event) as RequestKind, typedPeople: peopleOf(event) ?? context.typedPeople, problem: undefined, problemDetail: undefined })),
    forwardToVerification: sendTo('verification', ({ event }) => event),
    forwardToMember: sendTo('member', ({ event }) => event),
    keepPerson: assign(({ event }) => {
      const done = output<Extract<OwnerVerificationOutput, { outcome: 'verified' }>>(event);
      return { identity: done.identity, person: done.person, problem: undefined, notice: 'verified' as const };
    }),
    /** Verified: every flow started later in this conversation is given it (for 8 hours). */
    rememberIdentity: sendTo(conversationOf, ({ context }) => sessionChange({ verifiedIdentity: context.identity! })),
    /** A person's own report when they own their organisation's shared mailbox is an owner's leaver report about themselves. */
    ownReportAsOwner: assign(({ context }) => ({
      kind: 'leaver' as const,
      siteCode: context.person!.organisation.odsCode,
      leaver: { ...emptyLeaver(), people: [context.person!.address] },
    })),
    ownReport: assign(({ context }) => ({
      siteCode: context.person!.organisation.odsCode,
      leaver: { ...emptyLeaver(), people: [context.person!.address], self: true },
    })),
    useOnlySite: assign({ siteCode: ({ context }) => context.person!.ownerOf[0]!.odsCode }),
    recordSite: assign({ notice: undefined, siteCode: ({ event }) => String(valueOf(event)), problem: undefined }),
    keepSite: assign({ site: ({ event }) => output<SiteView>(event), problem: undefined }),
    // Leavers ------------------------------------------------------------------------------------
    /**
     * The people typed, found among the site's accounts. With `keep`, added to those found before
     * (the others are asked for again: "I found Tom; I could not find Jane"); otherwise instead of them.
     */
    resolveLeavers: assign(({ context, event }, params: { keep?: boolean } | undefined) => {
      const typed = event.type === 'ANSWER' ? (valueOf(event) as string[]) : (context.typedPeople ?? []);
      const found = resolvePeople(typed, context.site!);
      const kept = params?.keep ? context.leaver : emptyLeaver();
      const people = [...kept.people, ...found.people.filter((p) => !kept.people.includes(p))];
      const matching = [...kept.matching, ...found.matching.map((m) => ({ ...m, slot: m.slot + kept.people.length }))];
      const problem: Pick<OwnerRequestsContext, 'problem' | 'problemDetail'> = found.unmatched.length
        ? setProblem('notFound', found.unmatched)
        : found.alreadyLeavers.length
          ? setProblem('alreadyLeaver', found.alreadyLeavers)
          : found.alreadyReported.length
            ? setProblem('alreadyReported', found.alreadyReported)
            : { problem: undefined, problemDetail: undefined };
      return {
        typedPeople: undefined,
        // Typed just now: a notice of the verification has been said already.
        ...(event.type === 'ANSWER' ? { notice: undefined } : {}),
        leaver: { ...emptyLeaver(), people, matching, byName: kept.byName || found.byName },
        ...problem,
      };
    }),
    pickPerson: assign(({ context, event }) => {
      const [picked, ...rest] = context.leaver.matching;
      const address = String(valueOf(event));
      if (context.leaver.people.includes(address)) return { leaver: { ...context.leaver, matching: rest }, problem: undefined, notice: undefined };
      // In the order the names were typed.
      const people = [...context.leaver.people.slice(0, picked!.slot), address, ...context.leaver.people.slice(picked!.slot)];
      return { leaver: { ...context.leaver, people, matching: rest.map((m) => ({ ...m, slot: m.slot + 1 })) }, problem: undefined, notice: undefined };
    }),
    startEntries: assign(({ context, event }) => ({
      leaver: { ...context.leaver, entries: context.leaver.people.map((address) => ({ address })), current: 0, newOwner: undefined },
      problem: undefined,
      ...(event.type === 'ANSWER' ? { notice: undefined } : {}),
    })),
    forgetLeavers: assign({ notice: undefined, leaver: () => emptyLeaver(), problem: undefined }),
    setLastDay: assign(({ context, event }) => ({
      leaver: { ...context.leaver, entries: context.leaver.entries.map((e, i) => (i === context.leaver.current ? { ...e, lastWorkingDay: String(valueOf(event)) } : e)) },
      problem: undefined,
      notice: undefined,
      problemDetail: undefined,
    })),
    lastDayRefused: assign(({ context, event }) => ({ notice: undefined, ...setProblem(lastDayProblem(String(valueOf(event)), context.now) ?? 'notAnOption', [String(valueOf(event))]) })),
    setLeaving: assign(({ context, event }) => {
      const value = valueOf(event);
      return value === 'organisation' || value === 'socialCare' ? withLeaving(context, { leaving: value }) : {};
    }),
    setProviderByName: assign(({ context, event }) => withLeaving(context, { leaving: 'provider', provider: { name: String((valueOf(event) as { name: string }).name) } })),
    setProviderFound: assign(({ context, event }) => {
      const { name, odsCode, kind } = output<Provider>(event);
      const next = withLeaving(context, { leaving: 'provider', provider: { name, ...(odsCode ? { odsCode } : {}) } });
      return { ...next, leaver: { ...next.leaver, entries: next.leaver.entries.map((e, i) => (i === context.leaver.current && kind ? { ...e, providerKind: kind } : e)) } };
    }),
    nextPerson: assign(({ context }) => ({ leaver: { ...context.leaver, current: context.leaver.current + 1 } })),
    previousPerson: assign(({ context }) => ({ leaver: { ...context.leaver, current: Math.max(0, context.leaver.current - 1) } })),
    lastPerson: assign(({ context }) => ({ leaver: { ...context.leaver, current: Math.max(0, context.leaver.entries.length - 1) }, problem: undefined })),
    setNewOwner: assign(({ context, event }) => ({ leaver: { ...context.leaver, newOwner: (valueOf(event) as string | null) ?? null }, problem: undefined, notice: undefined })),
    // Other requests -----------------------------------------------------------------------------
    keepStarter: assign({ starter: ({ event }) => (output<MemberEntryOutput>(event) as Extract<MemberEntryOutput, { outcome: 'saved' }>).member }),
    recordJoinerAddress: assign({ notice: undefined, joiner: ({ event }) => ({ account: { address: String(valueOf(event)) } as JoinerAccount }), problem: undefined }),
    keepJoiner: assign({ notice: undefined, joiner: ({ event }) => ({ account: output<JoinerAccount>(event) }), problem: undefined }),
    setJoinerAccess: assign({ notice: undefined, joiner: ({ context, event }) => ({ ...context.joiner, sharedMailboxAccess: valueOf(event) === true }) }),
    setHandoverTo: assign({ notice: undefined, handover: ({ context, event }) => ({ ...context.handover, to: String(valueOf(event)) }), problem: undefined }),
    setKeepAccess: assign({ notice: undefined, handover: ({ context, event }) => ({ ...context.handover, keepsAccess: valueOf(event) === true }) }),
    setRenameWho: assign({ notice: undefined, rename: ({ event }) => ({ address: String(valueOf(event)) }), problem: undefined }),
    setNewName: assign({ notice: undefined, rename: ({ context, event }) => ({ ...context.rename, ...(valueOf(event) as { firstName: string; lastName: string }) }) }),
    setAuditNote: assign({ notice: undefined, audit: ({ event }) => ({ note: (valueOf(event) as string | null) ?? null }) }),
    setTeamName: assign({ notice: undefined, team: ({ context, event }) => ({ ...context.team, name: String(valueOf(event)) }), problem: undefined }),
    setTeamMembers: assign({ notice: undefined, team: ({ context, event }) => ({ ...context.team, who: valueOf(event) as 'everyone' | 'sharedMailbox' }) }),
    // Review -------------------------------------------------------------------------------------
    makePlan: assign(({ context }) => ({ plan: planOf(context), problem: undefined })),
    keepResult: assign({ notice: undefined, result: ({ event }) => output<SubmitOutcome>(event), problem: undefined }),
    /** Another request after one was sent: a new number (so a new idempotency key), nothing carried over. */
    startAnother: assign(({ context, event }) => ({
      kind: valueOf(event) as RequestKind,
      typedPeople: peopleOf(event),
      requestNumber: context.requestNumber + 1,
      siteCode: context.site?.site.odsCode ?? context.siteCode,
      leaver: emptyLeaver(),
      starter: undefined,
      joiner: undefined,
      handover: undefined,
      rename: undefined,
      audit: undefined,
      team: undefined,
      plan: undefined,
      result: undefined,
      problem: undefined,
      notice: undefined,
      problemDetail: undefined,
    })),
  },
  guards: {
    kindKnown: ({ context }) => context.kind !== undefined,
    choseKind: ({ event }) => event.type === 'ANSWER' && event.answer.question === 'kind' && isRequestKind(event.answer.value),
    isVerified: ({ context }) => context.person !== undefined,
    wasVerified: ({ event }) => output<OwnerVerificationOutput>(event).outcome === 'verified',
    isOwnReport: kindIs('ownLeaving'),
    hostedLocally: ({ context }) => context.person?.host.kind === 'local',
    alreadyALeaver: ({ context }) => context.person?.status === 'leaver',
    ownsOwnOrganisation: ({ context }) => !!context.person?.ownerOf.some((s) => s.odsCode === context.person!.organisation.odsCode),
    needsAnOwner: ({ context }) => needsOwner(context.kind) && (context.person?.ownerOf.length ?? 0) === 0,
    ownsOneSite: ({ context }) => context.person?.ownerOf.length === 1,
    siteKnown: ({ context }) => !!context.siteCode && (!needsOwner(context.kind) || !!context.person?.ownerOf.some((s) => s.odsCode === context.siteCode)),
    choseOwnedSite: ({ context, event }) => answerTo('site')({ context, event }) && !!context.person?.ownerOf.some((s) => s.odsCode === valueOf(event)),
    kindIs: ({ context }, params: { kind: RequestKind }) => context.kind === params.kind,
    peopleKnown: ({ context }) => context.leaver.people.length > 0,
    typedPeopleWaiting: ({ context }) => (context.typedPeople?.length ?? 0) > 0,
    gaveLeavers: answerTo('leavers'),
    /** Some of the people typed could not be taken: asked again, the others kept. */
    leaversRefused: ({ context }) => context.problem !== undefined,
    saidNoOneElse: ({ context, event }) => answered('noOneElse', true)({ context, event }) && (context.leaver.people.length > 0 || context.leaver.matching.length > 0),
    someNeedPicking: ({ context }) => context.leaver.matching.length > 0,
    foundByName: ({ context }) => context.leaver.byName,
    pickedAnOption: ({ context, event }) => answerTo('pick')({ context, event }) && !!context.leaver.matching[0]?.options.includes(String(valueOf(event))),
    confirmedPeople: answered('confirmPeople', true),
    refusedPeople: answered('confirmPeople', false),
    gaveLastDay: answerTo('lastDay'),
    lastDayAllowed: ({ context, event }) => lastDayProblem(String(valueOf(event)), context.now) === undefined,
    leavesForOrganisationOrCare: ({ event }) => event.type === 'ANSWER' && event.answer.question === 'leaving' && (event.answer.value === 'organisation' || event.answer.value === 'socialCare'),
    movesToProvider: answered('leaving', 'provider'),
    gaveProviderCode: ({ event }) => event.type === 'ANSWER' && event.answer.question === 'provider' && typeof (event.answer.value as { odsCode?: unknown })?.odsCode === 'string',
    gaveProviderName: ({ event }) => event.type === 'ANSWER' && event.answer.question === 'provider' && typeof (event.answer.value as { name?: unknown })?.name === 'string',
    providerFound: ({ event }) => output<Provider | undefined>(event) !== undefined,
    morePeople: ({ context }) => context.leaver.current < context.leaver.entries.length - 1,
    onFirstPerson: ({ context }) => context.leaver.current === 0,
    ownerLeaves: ({ context }) => ownerIsLeaving(context.site!, context.leaver),
    nobodyToTakeOver: ({ context }) =>
      ownersStaying(context.site!, context.leaver).length === 0 && newOwnerCandidates(context.site!, context.leaver.entries.map((e) => e.address)).length === 0,
    namedNewOwner: ({ context, event }) =>
      answerTo('newOwner')({ context, event }) &&
      typeof valueOf(event) === 'string' &&
      newOwnerCandidates(context.site!, context.leaver.entries.map((e) => e.address)).some((a) => a.address === valueOf(event)),
    noNewOwnerWhileOneStays: ({ context, event }) => answered('newOwner', null)({ context, event }) && ownersStaying(context.site!, context.leaver).length > 0,
    refusedNoNewOwner: answered('newOwner', null),
    askedNewOwner: ({ context }) => context.leaver.newOwner !== undefined,
    currentIsSelf: ({ context }) => current(context)?.address === context.person?.address,
    fewerThanTwoKeepAccess: ({ context }) => fewerThanTwoKeepAccess(context.site!, context.leaver),
    siteIsFull: ({ context }) => siteIsFull(context.site!),
    memberSaved: ({ event }) => output<MemberEntryOutput>(event).outcome === 'saved',
    gaveJoinerAddress: answerTo('joinerAddress'),
    accountFound: ({ event }) => output<JoinerAccount | undefined>(event) !== undefined,
    alreadyAtSite: ({ context, event }) => output<JoinerAccount | undefined>(event)?.organisation.odsCode === context.site?.site.odsCode,
    gaveAccess: answerTo('sharedMailboxAccess'),
    someoneCanTakeOver: ({ context }) => newOwnerCandidates(context.site!, [context.person!.address]).length > 0,
    namedHandoverTo: ({ context, event }) =>
      answerTo('handoverTo')({ context, event }) && newOwnerCandidates(context.site!, [context.person!.address]).some((a) => a.address === valueOf(event)),
    gaveKeepAccess: answerTo('keepAccess'),
    namedRenamed: ({ context, event }) => answerTo('renameWho')({ context, event }) && accountAt(context.site, String(valueOf(event))) !== undefined,
    renamedHostedLocally: ({ context }) => !!accountAt(context.site, context.rename?.address)?.hostedLocally,
    gaveNewName: answerTo('newName'),
    gaveAuditNote: answerTo('auditNote'),
    gaveTeamName: answerTo('teamName'),
    gaveTeamMembers: answerTo('teamMembers'),
    confirmed: answered('confirm', true),
    isFinishedHere: answered('next', 'done'),
    submittedAll: ({ event }) => output<SubmitOutcome>(event).requests.length > 0,
  },
});

export { fullNameOf, initialContext };
export type OwnerRequestsSetup = typeof ownerRequests;

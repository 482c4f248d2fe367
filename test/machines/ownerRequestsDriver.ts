import { createActor, type AnyMachineSnapshot } from 'xstate';
import { statePath, type FlowInput } from '../../machines/flow';
import {
  ownerRequestsMachine,
  provideOwnerRequests,
  type AllOwnerRequestsServices,
  type JoinerAccount,
  type OwnerRequestsContext,
  type SiteAccount,
  type SiteView,
  type SubmitOutcome,
} from '../../machines/ownerRequests';
import { ownerVerificationMachine, type OwnerCodeCheck, type OwnerCodeSend, type VerifiedPerson } from '../../machines/ownerVerification';
import { memberEntryMachine } from '../../machines/memberEntry';
import { coverageOf } from '../helpers/coverage';
import { ownerRequestsDialog } from '../../dialogs/ownerRequests';

/**
 * Drives the owners' requests machine with fake services, so tests read like an owner's answers.
 * The fakes know three sites like the shipped fixtures: Larkspur House (VLH01, two owners),
 * Hollybank (VHB01, one owner and one member) and Fernlea Lodge (VFL10, already 10 accounts),
 * and a code that is always 246810.
 */
export const T0 = Date.UTC(2026, 11, 2, 10, 0); // Wednesday 2 December 2026, 10am
export const SESSION = { channelId: 'emulator', conversationKey: 'conv-1', conversationReference: { conversation: { id: 'c1' } } };
export const TEAMS_SESSION = {
  channelId: 'msteams',
  conversationKey: 'conv-teams',
  conversationReference: { conversation: { id: 'a:1' } },
  user: { name: 'Priya Raman', email: 'Priya.Raman@nhs.net', userPrincipalName: 'priya.raman@nhs.net', source: 'teams' as const },
};

const account = (address: string, access: SiteAccount['access'], extra: Partial<SiteAccount> = {}): SiteAccount => {
  const [first, last] = address.split('@')[0]!.split('.');
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return { address, firstName: cap(first!), lastName: cap(last!), status: 'active', access, ...extra };
};

export const SITES: Record<string, SiteView> = {
  VLH01: {
    site: { odsCode: 'VLH01', name: 'Larkspur House Care Home', kind: 'care', sharedMailboxAddress: 'care.york.larkspurhousecarehomevlh01@nhs.net' },
    accounts: [
      account('priya.raman@nhs.net', 'owner'),
      account('gareth.lloyd@nhs.net', 'owner'),
      account('amy.pearce@nhs.net', 'member'),
      account('joseph.achebe@nhs.net', 'member'),
      account('dawn.fenwick@nhs.net', 'member', { status: 'inactive' }),
      account('kwame.oyelaran@nhs.net', 'none', { status: 'leaver' }),
      account('hannah.marsh@nhs.net', 'member'),
      account('ruth.barnes@nhs.net', 'member', {
        hostedLocally: { name: 'NHS Minster Vale Clinical Commissioning Group', helpdesk: { name: 'Minster Vale CCG IT helpdesk', email: 'minstervale.ithelpdesk@nhs.net', phone: '01632 960418' } },
      }),
      account('amy.pearson@nhs.net', 'none'),
    ],
    pendingNewStarters: 0,
    pendingLeavers: [],
  },
  VHB01: {
    site: { odsCode: 'VHB01', name: 'Hollybank Care Home', kind: 'care', sharedMailboxAddress: 'care.norwich.hollybankcarehomevhb01@nhs.net' },
    accounts: [account('sarah.hollis@nhs.net', 'owner'), account('tom.okafor@nhs.net', 'member')],
    pendingNewStarters: 0,
    pendingLeavers: [],
  },
  VFL10: {
    site: { odsCode: 'VFL10', name: 'Fernlea Lodge', kind: 'care', sharedMailboxAddress: 'care.bradford.fernleavfl10@nhs.net' },
    accounts: [
      account('marcus.ashworth@nhs.net', 'owner'),
      ...['leanne.boyce', 'imran.qureshi', 'bethany.caldwell', 'conor.delaney', 'esther.mwangi', 'felix.garland', 'gemma.thorne'].map((n) => account(`${n}@nhs.net`, 'member')),
      account('isaac.lindqvist@nhs.net', 'none'),
      account('jasmine.okoro@nhs.net', 'none'),
    ],
    pendingNewStarters: 0,
    pendingLeavers: [],
  },
};

const owns = (odsCode: string) => [{ odsCode, name: SITES[odsCode]!.site.name, kind: 'care' as const, sharedMailboxAddress: SITES[odsCode]!.site.sharedMailboxAddress! }];

export function personAt(address: string): VerifiedPerson | undefined {
  for (const view of Object.values(SITES)) {
    const a = view.accounts.find((x) => x.address === address);
    if (!a) continue;
    const ods = view.site.odsCode;
    return {
      address,
      firstName: a.firstName,
      lastName: a.lastName,
      organisation: { odsCode: ods, name: view.site.name, kind: 'care' },
      status: a.status,
      host: a.hostedLocally ? { kind: 'local', ...a.hostedLocally } : { kind: 'nas' },
      ownerOf: a.access === 'owner' ? owns(ods) : [],
      organisationOwners: view.accounts.filter((x) => x.access === 'owner').map((x) => `${x.firstName} ${x.lastName}`),
    };
  }
  return undefined;
}

export interface FakeOptions {
  send?: OwnerCodeSend[];
  check?: OwnerCodeCheck[];
  sites?: Partial<Record<string, Partial<SiteView>>>;
  /** true: the service always fails; a number: its first n calls fail. */
  fail?: Partial<Record<keyof AllOwnerRequestsServices, boolean | number>>;
  person?: (address: string) => VerifiedPerson | undefined;
}

export function fakeServices(options: FakeOptions = {}) {
  const sends = [...(options.send ?? [])];
  const checks = [...(options.check ?? [])];
  const failures = { ...options.fail };
  const calls: Record<string, unknown[]> = {};
  let references = 0;
  const record = (name: keyof AllOwnerRequestsServices, input: unknown) => {
    (calls[name] ??= []).push(input);
    const fail = failures[name];
    if (fail === true) throw new Error(`${name} is down`);
    if (typeof fail === 'number' && fail > 0) {
      failures[name] = fail - 1;
      throw new Error(`${name} is down`);
    }
  };
  const services: AllOwnerRequestsServices = {
    identifyPerson: async (input) => {
      record('identifyPerson', input);
      const person = (options.person ?? personAt)(input.address);
      return person ? { found: true, person, at: T0 } : { found: false, at: T0 };
    },
    sendOwnerCode: async (input) => {
      record('sendOwnerCode', input);
      return sends.shift() ?? { sent: true, expiresAt: T0 + 10 * 60_000 };
    },
    verifyOwnerCode: async (input) => {
      record('verifyOwnerCode', input);
      return checks.shift() ?? (input.code === '246810' ? { result: 'right' } : { result: 'wrong', attemptsLeft: 4 });
    },
    loadSite: async (input) => {
      record('loadSite', input);
      const site = SITES[input.odsCode];
      if (!site) throw new Error(`no site ${input.odsCode}`);
      return { ...structuredClone(site), ...(options.sites?.[input.odsCode] ?? {}) };
    },
    findAccount: async (input) => {
      record('findAccount', input);
      if (input.address === 'leah.doyle@nhs.net') {
        return { address: input.address, firstName: 'Leah', lastName: 'Doyle', organisation: { odsCode: 'DODSC1', name: 'Quayside Dental Practice' }, status: 'active' } satisfies JoinerAccount;
      }
      const p = personAt(input.address);
      return p ? { address: p.address, firstName: p.firstName, lastName: p.lastName, organisation: p.organisation, status: p.status } : undefined;
    },
    findProvider: async (input) => {
      record('findProvider', input);
      return input.odsCode === 'VFL10' ? { name: 'Fernlea Lodge', odsCode: 'VFL10', kind: 'care' } : undefined;
    },
    isMobileOnNhsmail: async (input) => {
      record('isMobileOnNhsmail', input);
      return input.mobile === '+447400000031';
    },
    submitRequests: async (input) => {
      record('submitRequests', input);
      const prefix: Record<string, string> = { leaver: 'LVR', joiner: 'JNR', newStarter: 'NST', ownerChange: 'OWN', nameChange: 'NAM', siteAudit: 'AUD', teamsTeam: 'TMS' };
      return {
        requests: input.plan.map((p) => ({ kind: p.kind, reference: `${prefix[p.kind]}-${String(++references).padStart(8, 'A')}`, outcome: 'created' as const })),
        ...(input.plan.some((p) => p.kind === 'ownerChange') ? { newOwnerTold: 'email' as const } : {}),
      } satisfies SubmitOutcome;
    },
  };
  return { services, calls };
}

export const coverage = coverageOf(ownerRequestsMachine);
export const verificationCoverage = coverageOf(ownerVerificationMachine);
export const memberCoverage = coverageOf(memberEntryMachine);

/** A running flow with fake services and a clock the test moves. */
export function startRequests(options: FakeOptions = {}, input: Partial<FlowInput> = {}) {
  const fake = fakeServices(options);
  const clock = { now: T0 };
  const machine = provideOwnerRequests(fake.services, () => clock.now);
  const actor = createActor(machine, {
    input: { ...SESSION, attemptId: 'attempt-1', ...input } as FlowInput,
    inspect: (event) => {
      coverage.inspect(event);
      verificationCoverage.inspect(event);
      memberCoverage.inspect(event);
    },
  }).start();
  const child = (id: string) => (actor.getSnapshot().children as Record<string, { getSnapshot(): AnyMachineSnapshot } | undefined>)[id]?.getSnapshot();
  const busy = () => actor.getSnapshot().hasTag('busy') || [child('verification'), child('member')].some((c) => c?.hasTag('busy'));
  // The parent's snapshot does not change while a child works, so this looks rather than waits for an emission.
  const settle = async () => {
    const deadline = Date.now() + 2_000;
    while (busy()) {
      if (Date.now() > deadline) throw new Error(`still busy in ${statePath(actor.getSnapshot().value)}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  const send = async (event: { type: string; [k: string]: unknown }) => {
    actor.send(event as never);
    await settle();
  };
  return {
    actor,
    calls: fake.calls,
    clock,
    get state() {
      return statePath(actor.getSnapshot().value);
    },
    get context() {
      return actor.getSnapshot().context as OwnerRequestsContext;
    },
    get verification() {
      return child('verification');
    },
    get member() {
      return child('member');
    },
    settle,
    send,
    answer: (question: string, value: unknown) => send({ type: 'ANSWER', answer: { question, value } }),
    /** What the flow's dialog makes of typed text, sent to the machine; the reply as the dialog words it. */
    say: async (text: string) => {
      const parsed = ownerRequestsDialog.parse(text, actor.getSnapshot());
      if (parsed && !('invalid' in parsed) && !('say' in parsed)) {
        await send(parsed as { type: string });
        const problem = ownerRequestsDialog.problem?.(actor.getSnapshot());
        return [problem, ownerRequestsDialog.prompt(actor.getSnapshot()).text].filter(Boolean).join('\n');
      }
      if (parsed && 'invalid' in parsed) return `INVALID: ${parsed.invalid}`;
      if (parsed && 'say' in parsed) return `SAY: ${parsed.say}`;
      return `NOT UNDERSTOOD: ${ownerRequestsDialog.hint(actor.getSnapshot())}`;
    },
    get prompt() {
      return ownerRequestsDialog.prompt(actor.getSnapshot());
    },
    advance: (ms: number) => {
      clock.now += ms;
    },
  };
}

/** Verified by the emailed code as this owner. */
export async function verifiedAs(flow: ReturnType<typeof startRequests>, address: string) {
  await flow.answer('ownerAddress', address);
  await flow.answer('ownerCode', '246810');
}

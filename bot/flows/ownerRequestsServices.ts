import { administratorOf, type AccountDirectory, type NhsmailAccount } from '../../adapters/accountDirectory';
import { exclusiveKey, PENDING_NAS_STATUSES, type NasRequester, type NasRequests, type NasSubmission } from '../../adapters/nasRequests';
import type { OrganisationDirectory } from '../../adapters/organisationDirectory';
import type { Outbox } from '../../adapters/outbox';
import type { VerificationCodes } from '../../adapters/verificationCodes';
import { newOwnerEmail, newOwnerText, ownerCodeEmail } from '../../dialogs/ownerRequests/messages';
import type { FlowSession } from '../../machines/flow';
import type { AllOwnerRequestsServices, JoinerAccount, PlannedRequest, SiteAccount, SiteView, SubmittedRequest } from '../../machines/ownerRequests';
import type { HostView, SiteRef, VerifiedPerson } from '../../machines/ownerVerification';

/**
 * The owners' requests' effects, done with the adapters: the account directory (who is asking,
 * what they own, the site's accounts), the organisation directory (a provider named by its ODS
 * code, mobiles already on NHSmail), the verification codes and the outbox (the emailed code),
 * the NAS requests (what the owner confirms), and — for a handover — the new owner's own chat.
 *
 * Before the code is right nothing answered depends on whether the address is an account: a code
 * for an address that is not one is counted but emailed nowhere.
 */

export interface OwnerRequestsDeps {
  accounts: AccountDirectory;
  directory: OrganisationDirectory;
  codes: VerificationCodes;
  outbox: Outbox;
  requests: NasRequests;
  now?: () => number;
  /** The new owner's own Teams chat with the assistant, if they have one. */
  ownerChat?: (address: string) => Promise<string | undefined>;
  /** Puts a message in that chat: true when delivered (else the new owner is emailed). */
  tellInChat?: (conversationKey: string, text: string, idempotencyKey: string) => Promise<boolean>;
}

const fullName = (a: { firstName: string; lastName: string }) => `${a.firstName} ${a.lastName}`;

function hostOf(account: NhsmailAccount): HostView {
  const administrator = administratorOf(account);
  if (administrator.kind === 'nas') return { kind: 'nas' };
  const { name, helpdesk } = administrator.organisation;
  return { kind: 'local', name, helpdesk };
}

export function requesterOf(session: FlowSession, email?: string): NasRequester {
  return {
    conversationKey: session.conversationKey,
    conversationReference: session.conversationReference ?? null,
    channelId: session.channelId,
    ...(email ? { email } : {}),
  };
}

export function createOwnerRequestsServices(deps: OwnerRequestsDeps): AllOwnerRequestsServices {
  const now = deps.now ?? Date.now;

  async function siteRef(odsCode: string, fallback?: NhsmailAccount['organisation']): Promise<SiteRef | undefined> {
    const [organisation, mailbox] = await Promise.all([deps.directory.findByOdsCode(odsCode), deps.accounts.findSharedMailbox(odsCode)]);
    const name = organisation?.name ?? (fallback?.odsCode === odsCode ? fallback.name : undefined);
    const kind = mailbox?.kind ?? (organisation?.kind === 'dental' ? 'dental' : organisation?.kind === 'care' ? 'care' : fallback?.kind === 'dental' ? 'dental' : 'care');
    if (!name) return undefined;
    return { odsCode, name, kind, ...(mailbox ? { sharedMailboxAddress: mailbox.address } : {}) };
  }

  async function pending(odsCode: string) {
    const page = await deps.requests.list({ odsCode, kind: ['leaver', 'newStarter'], status: PENDING_NAS_STATUSES }, { limit: 200 });
    const pendingLeavers = page.requests.flatMap((r) => (r.kind === 'leaver' ? r.details.leavers.map((l) => ({ address: l.address, reference: r.reference })) : []));
    return { pendingNewStarters: page.requests.filter((r) => r.kind === 'newStarter').length, pendingLeavers };
  }

  /** Tells the new owner: in their own Teams chat when they have one, else by email. */
  async function tellNewOwner(plan: Extract<PlannedRequest, { kind: 'ownerChange' }>, reference: string, via: 'teams' | 'email'): Promise<'teams' | 'email'> {
    const { details } = plan;
    const notice = {
      newOwner: details.to.name,
      outgoingOwner: details.from.name,
      site: details.site.name,
      reference,
      ...(details.site.sharedMailboxAddress ? { sharedMailboxAddress: details.site.sharedMailboxAddress } : {}),
    };
    if (via === 'teams') {
      const chat = await deps.ownerChat?.(details.to.address).catch(() => undefined);
      if (chat && (await deps.tellInChat?.(chat, newOwnerText(notice), `newOwner:${reference}`).catch(() => false))) return 'teams';
    }
    const email = newOwnerEmail(notice);
    await deps.outbox.send(
      { channel: 'email', recipient: details.to.address, subject: email.subject, body: email.body, tags: { kind: 'newOwner', reference } },
      { dedupeKey: `newOwner:${reference}` },
    );
    return 'email';
  }

  async function submitOne(plan: PlannedRequest, idempotencyKey: string, requester: NasRequester): Promise<SubmittedRequest> {
    const submission = {
      kind: plan.kind,
      queue: plan.queue,
      ...(plan.odsCode ? { odsCode: plan.odsCode } : {}),
      details: plan.details,
      idempotencyKey: `${idempotencyKey}:${plan.key}`,
      requester,
      ...(plan.exclusive ? { exclusive: { key: exclusiveKey(plan.kind, plan.exclusive) } } : {}),
    } as NasSubmission;
    const result = await deps.requests.submit(submission);
    if (result.outcome === 'conflict') {
      const { reference, status, createdAt } = result.existing;
      return { kind: plan.kind, reference: result.kept.reference, outcome: 'conflict', existing: { reference, status, createdAt } };
    }
    return { kind: plan.kind, reference: result.request.reference, outcome: result.outcome };
  }

  return {
    async identifyPerson({ address }) {
      const at = now();
      const account = await deps.accounts.findByAddress(address);
      if (!account) return { found: false, at };
      const owned = account.sharedMailboxes.filter((s) => s.role === 'owner').map((s) => s.odsCode);
      const ownerOf = (await Promise.all(owned.map((ods) => siteRef(ods, account.organisation)))).filter((s): s is SiteRef => !!s);
      const owners = await deps.accounts.sharedMailboxOwners(account.organisation.odsCode);
      const person: VerifiedPerson = {
        address: account.address,
        firstName: account.firstName,
        lastName: account.lastName,
        organisation: account.organisation,
        status: account.status,
        host: hostOf(account),
        ownerOf: account.status === 'leaver' ? [] : ownerOf,
        organisationOwners: owners.filter((o) => o.status !== 'leaver').map(fullName),
      };
      return { found: true, person, at };
    },

    async sendOwnerCode({ address }) {
      const subject = address.trim().toLowerCase();
      const issued = await deps.codes.issue('ownerVerification', subject);
      if (!issued.ok) return { sent: false, reason: issued.reason, nextAllowedAt: issued.nextAllowedAt };
      const account = await deps.accounts.findByAddress(subject);
      if (account && account.status !== 'leaver') {
        const email = ownerCodeEmail(issued.code);
        await deps.outbox.send(
          { channel: 'email', recipient: account.address, subject: email.subject, body: email.body, tags: { kind: 'ownerVerificationCode', account: account.address } },
          { dedupeKey: `ownerVerificationCode:${account.address}:${issued.issuedAt}` },
        );
      }
      return { sent: true, expiresAt: issued.expiresAt };
    },

    async verifyOwnerCode({ address, code }) {
      const checked = await deps.codes.verify('ownerVerification', address.trim().toLowerCase(), code);
      if (checked.ok) return { result: 'right' };
      switch (checked.reason) {
        case 'wrong':
          return { result: 'wrong', attemptsLeft: checked.attemptsLeft, ...(checked.lockedUntil !== undefined ? { lockedUntil: checked.lockedUntil } : {}) };
        case 'expired':
          return { result: 'expired' };
        case 'locked':
          return { result: 'locked', lockedUntil: checked.lockedUntil };
        default:
          return { result: 'noCode' };
      }
    },

    async loadSite({ odsCode }): Promise<SiteView> {
      const [inContainer, mailbox, ref, waiting] = await Promise.all([
        deps.accounts.findByOrganisation(odsCode),
        deps.accounts.findSharedMailbox(odsCode),
        siteRef(odsCode),
        pending(odsCode),
      ]);
      if (!ref) throw new Error(`organisation ${odsCode} is not in the directory`);
      // Everyone in the organisation's container, and anyone else with access to its shared mailbox.
      const all = [...inContainer, ...(mailbox?.members ?? []).filter((m) => !inContainer.some((a) => a.address === m.address))];
      const accounts: SiteAccount[] = all.map((a) => {
        const access = a.sharedMailboxes.find((s) => s.odsCode === ref.odsCode)?.role ?? 'none';
        const host = hostOf(a);
        return {
          address: a.address,
          firstName: a.firstName,
          lastName: a.lastName,
          status: a.status,
          access,
          ...(host.kind === 'local' ? { hostedLocally: { name: host.name, helpdesk: host.helpdesk } } : {}),
        };
      });
      return { site: ref, accounts, ...waiting };
    },

    async findAccount({ address }): Promise<JoinerAccount | undefined> {
      const account = await deps.accounts.findByAddress(address);
      if (!account) return undefined;
      const host = hostOf(account);
      return {
        address: account.address,
        firstName: account.firstName,
        lastName: account.lastName,
        organisation: { odsCode: account.organisation.odsCode, name: account.organisation.name },
        status: account.status,
        ...(host.kind === 'local' ? { hostedLocally: { name: host.name, helpdesk: host.helpdesk } } : {}),
      };
    },

    async findProvider({ odsCode }) {
      const found = await deps.directory.findByOdsCode(odsCode);
      if (!found) return undefined;
      return { name: found.name, odsCode: found.odsCode, ...(found.kind === 'care' || found.kind === 'dental' ? { kind: found.kind } : {}) };
    },

    isMobileOnNhsmail: ({ mobile }) => deps.directory.isMobileInUse(mobile),

    async submitRequests({ plan, idempotencyKey, session }) {
      const raisedBy = plan[0]?.details.raisedBy;
      const requester = requesterOf(session, raisedBy?.address);
      const done: SubmittedRequest[] = [];
      // Joiners first, so the leaver report can name them.
      const joinerOf = new Map<string, string>();
      for (const p of plan.filter((x) => x.kind === 'joiner' && x.details.withLeaverReport)) {
        const submitted = await submitOne(p, idempotencyKey, requester);
        done.push(submitted);
        if (p.kind === 'joiner') joinerOf.set(p.details.joiner.address, submitted.reference);
      }
      let newOwnerTold: 'teams' | 'email' | undefined;
      for (const p of plan.filter((x) => !(x.kind === 'joiner' && x.details.withLeaverReport))) {
        let planned = p;
        if (p.kind === 'leaver') {
          planned = { ...p, details: { ...p.details, leavers: p.details.leavers.map((l) => (joinerOf.has(l.address) ? { ...l, joinerReference: joinerOf.get(l.address)! } : l)) } };
        }
        let via: 'teams' | 'email' = 'email';
        if (p.kind === 'ownerChange') {
          via = (await deps.ownerChat?.(p.details.to.address).catch(() => undefined)) ? 'teams' : 'email';
          planned = { ...p, details: { ...p.details, newOwnerTold: via } };
        }
        const submitted = await submitOne(planned, idempotencyKey, requester);
        done.push(submitted);
        if (planned.kind === 'ownerChange' && submitted.outcome !== 'conflict') newOwnerTold = await tellNewOwner(planned, submitted.reference, via);
      }
      // In the order the owner was shown: the leaver report first.
      const order = (r: SubmittedRequest) => plan.findIndex((p) => p.kind === r.kind);
      done.sort((a, b) => order(a) - order(b));
      return { requests: done, ...(newOwnerTold ? { newOwnerTold } : {}) };
    },
  };
}

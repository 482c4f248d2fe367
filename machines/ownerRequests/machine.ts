import { and, not, or } from 'xstate';
import { initialContext } from './model';
import { memberEntryInput, ownerRequests, verificationInput } from './setup';

/**
 * The shared mailbox owners' requests (SPEC §3) as a statechart.
 *
 * - `choose` asks what the request is (free text at the menu may have said already), then
 *   `verifying` proves who is asking (machines/ownerVerification, a child: their Teams sign-in, or
 *   a code emailed to their NHSmail address; reused for 8 hours in the conversation), and
 *   `authorised` decides: only an owner of the site's shared mailbox raises an owner's request;
 *   anyone reports their own leaving or move. The site's accounts are then loaded once.
 * - One part per kind: `leaver` (several people at once, names matched and confirmed, each one's
 *   last working day and where they go, a new owner when an owner leaves), `newStarter` (the
 *   member entry child, the site's limit of 10 accounts), `joiner`, `handover`, `rename`,
 *   `audit`, `team`.
 * - `review` shows exactly the NAS requests that confirming sends, and submits them once per
 *   attempt; another request can follow in the same conversation.
 */

const finishing = { guard: 'isFinishedHere', target: '#ownerRequests.closed' } as const;
/** Another request from a stop: who may ask is decided again for it. */
const anotherRequest = { guard: 'choseKind', target: '#ownerRequests.authorised', actions: 'startAnother' } as const;
const kind = (k: 'leaver' | 'ownLeaving' | 'newStarter' | 'joiner' | 'ownerChange' | 'nameChange' | 'siteAudit' | 'teamsTeam') =>
  ({ type: 'kindIs', params: { kind: k } }) as const;
const leaverKind = or([kind('leaver'), kind('ownLeaving')]);

export const ownerRequestsMachine = ownerRequests.createMachine({
  id: 'ownerRequests',
  context: ({ input }) => initialContext(input),
  initial: 'starting',
  states: {
    starting: {
      entry: 'noteTime',
      always: [{ guard: 'kindKnown', target: 'verifying' }, { target: 'choose' }],
    },
    choose: {
      tags: ['question'],
      meta: { title: 'Staff changes' },
      entry: 'noteTime',
      on: {
        ANSWER: [
          { guard: and(['choseKind', 'isVerified']), target: 'authorised', actions: 'recordKind' },
          { guard: 'choseKind', target: 'verifying', actions: 'recordKind' },
          finishing,
        ],
      },
    },
    verifying: {
      meta: { title: 'Checking who you are' },
      entry: 'noteTime',
      invoke: {
        id: 'verification',
        src: 'ownerVerification',
        input: ({ context }) => verificationInput(context),
        onDone: [{ guard: 'wasVerified', target: 'authorised', actions: ['keepPerson', 'rememberIdentity'] }, { target: 'choose' }],
      },
      on: {
        ANSWER: { actions: 'forwardToVerification' },
        BACK: { actions: 'forwardToVerification' },
        RESEND: { actions: 'forwardToVerification' },
        TRY_AGAIN: { actions: 'forwardToVerification' },
      },
    },
    authorised: {
      entry: 'noteTime',
      always: [
        { guard: and(['isOwnReport', 'hostedLocally']), target: 'ownLocal' },
        { guard: and(['isOwnReport', 'alreadyALeaver']), target: 'ownAlreadyLeaver' },
        { guard: and(['isOwnReport', 'ownsOwnOrganisation']), target: 'loadingSite', actions: 'ownReportAsOwner' },
        { guard: 'isOwnReport', target: 'loadingSite', actions: 'ownReport' },
        { guard: 'needsAnOwner', target: 'notOwner' },
        { guard: 'siteKnown', target: 'loadingSite' },
        { guard: 'ownsOneSite', target: 'loadingSite', actions: 'useOnlySite' },
        { target: 'chooseSite' },
      ],
    },
    /** Verified, but not an owner: only the shared mailbox owner can ask; their own leaving they can report. */
    notOwner: {
      tags: ['stop'],
      meta: { title: 'Only the shared mailbox owner can ask' },
      entry: 'noteTime',
      on: { ANSWER: [{ guard: 'choseKind', target: 'authorised', actions: 'recordKind' }, finishing] },
    },
    /** Their own account is looked after by a CCG or CSU: its administrator deals with it. */
    ownLocal: { tags: ['stop'], meta: { title: 'Your own leaving or move' }, entry: 'noteTime', on: { ANSWER: [anotherRequest, finishing] } },
    ownAlreadyLeaver: { tags: ['stop'], meta: { title: 'Your own leaving or move' }, entry: 'noteTime', on: { ANSWER: [finishing] } },
    chooseSite: {
      tags: ['question'],
      meta: { title: 'Which site?' },
      entry: 'noteTime',
      on: {
        ANSWER: { guard: 'choseOwnedSite', target: 'loadingSite', actions: 'recordSite' },
        BACK: { target: 'choose', actions: 'clearProblem' },
      },
    },
    loadingSite: {
      tags: ['busy'],
      invoke: {
        src: 'loadSite',
        input: ({ context }) => ({ odsCode: context.siteCode! }),
        onDone: { target: 'begin', actions: 'keepSite' },
        onError: { target: 'siteUnavailable' },
      },
    },
    siteUnavailable: {
      tags: ['stop'],
      entry: 'noteTime',
      on: { TRY_AGAIN: { target: 'loadingSite' }, BACK: { target: 'choose' } },
    },
    begin: {
      always: [
        { guard: and([leaverKind, 'peopleKnown']), target: 'leaver.lastDay', actions: 'startEntries' },
        { guard: and([kind('leaver'), 'typedPeopleWaiting']), target: 'leaver.resolving', actions: { type: 'resolveLeavers', params: { keep: false } } },
        { guard: kind('leaver'), target: 'leaver.who' },
        { guard: kind('newStarter'), target: 'newStarter' },
        { guard: kind('joiner'), target: 'joiner' },
        { guard: kind('ownerChange'), target: 'handover' },
        { guard: kind('nameChange'), target: 'rename' },
        { guard: kind('siteAudit'), target: 'audit' },
        { guard: kind('teamsTeam'), target: 'team' },
        { target: 'choose' },
      ],
    },
    leaver: {
      meta: { title: 'Report a leaver' },
      initial: 'who',
      states: {
        /** Who is leaving; people already found (when others were not) are kept and added to. */
        who: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'gaveLeavers', target: 'resolving', actions: { type: 'resolveLeavers', params: { keep: true } } },
              { guard: 'saidNoOneElse', target: 'resolving', actions: 'clearProblem' },
            ],
            BACK: { target: '#ownerRequests.choose', actions: 'forgetLeavers' },
          },
        },
        resolving: {
          always: [
            { guard: 'leaversRefused', target: 'who' },
            { guard: 'someNeedPicking', target: 'pick' },
            { guard: 'foundByName', target: 'confirm' },
            { target: 'lastDay', actions: 'startEntries' },
          ],
        },
        /** A name that fits more than one account: which one? */
        pick: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'pickedAnOption', target: 'resolving', actions: 'pickPerson' },
              { guard: 'gaveLeavers', target: 'resolving', actions: { type: 'resolveLeavers', params: { keep: false } } },
            ],
            BACK: { target: 'who', actions: 'forgetLeavers' },
          },
        },
        /** Found by name: confirmed before anything else is asked. */
        confirm: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'confirmedPeople', target: 'lastDay', actions: 'startEntries' },
              { guard: 'refusedPeople', target: 'who', actions: 'forgetLeavers' },
              { guard: 'gaveLeavers', target: 'resolving', actions: { type: 'resolveLeavers', params: { keep: false } } },
            ],
            BACK: { target: 'who', actions: 'forgetLeavers' },
          },
        },
        lastDay: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: and(['gaveLastDay', 'lastDayAllowed']), target: 'leaving', actions: 'setLastDay' },
              { guard: 'gaveLastDay', actions: 'lastDayRefused' },
            ],
            BACK: [
              { guard: not('onFirstPerson'), target: 'leaving', actions: ['previousPerson', 'clearProblem'] },
              { guard: 'isOwnReport', target: '#ownerRequests.choose', actions: 'clearProblem' },
              { target: 'who', actions: 'forgetLeavers' },
            ],
          },
        },
        leaving: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'leavesForOrganisationOrCare', target: 'nextPerson', actions: 'setLeaving' },
              { guard: 'movesToProvider', target: 'provider', actions: 'clearProblem' },
              { guard: 'gaveProviderCode', target: 'findingProvider' },
              { guard: 'gaveProviderName', target: 'nextPerson', actions: 'setProviderByName' },
            ],
            BACK: { target: 'lastDay', actions: 'clearProblem' },
          },
        },
        provider: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'gaveProviderCode', target: 'findingProvider' },
              { guard: 'gaveProviderName', target: 'nextPerson', actions: 'setProviderByName' },
            ],
            BACK: { target: 'leaving', actions: 'clearProblem' },
          },
        },
        findingProvider: {
          tags: ['busy'],
          invoke: {
            src: 'findProvider',
            input: ({ event }) => ({ odsCode: String((event as { answer?: { value?: { odsCode?: string } } }).answer?.value?.odsCode ?? '') }),
            onDone: [
              { guard: 'providerFound', target: 'nextPerson', actions: 'setProviderFound' },
              { target: 'provider', actions: { type: 'problem', params: { problem: 'providerNotFound' } } },
            ],
            onError: { target: 'provider', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          },
        },
        nextPerson: {
          always: [
            { guard: 'morePeople', target: 'lastDay', actions: 'nextPerson' },
            { guard: 'ownerLeaves', target: 'checkNewOwner' },
            { target: '#ownerRequests.review' },
          ],
        },
        checkNewOwner: { always: [{ guard: 'nobodyToTakeOver', target: 'noOneLeft' }, { target: 'newOwner' }] },
        /** An owner leaves: the new owner is named first, from the people who stay. */
        newOwner: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'namedNewOwner', target: '#ownerRequests.review', actions: 'setNewOwner' },
              { guard: 'noNewOwnerWhileOneStays', target: '#ownerRequests.review', actions: 'setNewOwner' },
              { guard: 'refusedNoNewOwner', actions: { type: 'problem', params: { problem: 'newOwnerNeeded' } } },
            ],
            BACK: { target: 'leaving', actions: ['lastPerson', 'clearProblem'] },
          },
        },
        /** The only owner leaves and nobody else has an account to take over: it cannot be reported yet. */
        noOneLeft: {
          tags: ['stop'],
          entry: 'noteTime',
          on: { ANSWER: [anotherRequest, finishing], BACK: { target: 'leaving', actions: 'lastPerson' } },
        },
      },
    },
    newStarter: {
      meta: { title: 'A new starter' },
      initial: 'check',
      states: {
        check: { always: [{ guard: 'siteIsFull', target: 'full' }, { target: 'entering' }] },
        entering: {
          invoke: {
            id: 'member',
            src: 'memberEntry',
            input: ({ context }) => memberEntryInput(context),
            onDone: [
              { guard: 'memberSaved', target: '#ownerRequests.review', actions: 'keepStarter' },
              { guard: ({ context }) => context.starter !== undefined, target: '#ownerRequests.review' },
              { target: '#ownerRequests.choose' },
            ],
          },
          on: {
            ANSWER: { actions: 'forwardToMember' },
            SAVE_MEMBER: { actions: 'forwardToMember' },
            BACK: { actions: 'forwardToMember' },
            LIST_MEMBERS: { actions: 'forwardToMember' },
          },
        },
        /** The site already has 10 accounts (new starters asked for included). */
        full: { tags: ['stop'], entry: 'noteTime', on: { ANSWER: [anotherRequest, finishing] } },
      },
    },
    joiner: {
      meta: { title: 'A joiner who already has NHSmail' },
      initial: 'address',
      states: {
        address: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveJoinerAddress', target: 'finding', actions: 'recordJoinerAddress' },
            BACK: { target: '#ownerRequests.choose', actions: 'clearProblem' },
          },
        },
        finding: {
          tags: ['busy'],
          invoke: {
            src: 'findAccount',
            input: ({ context }) => ({ address: context.joiner!.account!.address }),
            onDone: [
              { guard: 'alreadyAtSite', target: 'address', actions: { type: 'problem', params: { problem: 'alreadyAtSite' } } },
              { guard: 'accountFound', target: 'access', actions: 'keepJoiner' },
              { target: 'address', actions: { type: 'problem', params: { problem: 'noSuchAccount' } } },
            ],
            onError: { target: 'address', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          },
        },
        access: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'gaveAccess', target: '#ownerRequests.review', actions: 'setJoinerAccess' },
              { guard: 'gaveJoinerAddress', target: 'finding', actions: 'recordJoinerAddress' },
            ],
            BACK: { target: 'address', actions: 'clearProblem' },
          },
        },
      },
    },
    handover: {
      meta: { title: 'Hand over shared mailbox ownership' },
      initial: 'check',
      states: {
        check: { always: [{ guard: 'someoneCanTakeOver', target: 'newOwner' }, { target: 'noOne' }] },
        newOwner: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'namedHandoverTo', target: 'keepAccess', actions: 'setHandoverTo' },
            BACK: { target: '#ownerRequests.choose', actions: 'clearProblem' },
          },
        },
        keepAccess: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveKeepAccess', target: '#ownerRequests.review', actions: 'setKeepAccess' },
            BACK: { target: 'newOwner' },
          },
        },
        /** Nobody else at the site has an active account to hand over to. */
        noOne: { tags: ['stop'], entry: 'noteTime', on: { ANSWER: [anotherRequest, finishing], BACK: { target: '#ownerRequests.choose' } } },
      },
    },
    rename: {
      meta: { title: 'A change of name' },
      initial: 'who',
      states: {
        who: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'namedRenamed', target: 'checkHost', actions: 'setRenameWho' },
            BACK: { target: '#ownerRequests.choose', actions: 'clearProblem' },
          },
        },
        checkHost: { always: [{ guard: 'renamedHostedLocally', target: 'local' }, { target: 'newName' }] },
        newName: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveNewName', target: '#ownerRequests.review', actions: 'setNewName' },
            BACK: { target: 'who' },
          },
        },
        /** The account is looked after by a CCG or CSU: its administrator changes the name. */
        local: { tags: ['stop'], entry: 'noteTime', on: { ANSWER: [anotherRequest, finishing], BACK: { target: 'who' } } },
      },
    },
    audit: {
      meta: { title: 'Site audit: who has access' },
      initial: 'list',
      states: {
        list: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveAuditNote', target: '#ownerRequests.review', actions: 'setAuditNote' },
            BACK: { target: '#ownerRequests.choose' },
          },
        },
      },
    },
    team: {
      meta: { title: 'A Microsoft Teams team' },
      initial: 'name',
      states: {
        name: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveTeamName', target: 'who', actions: 'setTeamName' },
            BACK: { target: '#ownerRequests.choose' },
          },
        },
        who: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveTeamMembers', target: '#ownerRequests.review', actions: 'setTeamMembers' },
            BACK: { target: 'name' },
          },
        },
      },
    },
    review: {
      meta: { title: 'Check and send' },
      initial: 'summary',
      states: {
        summary: {
          tags: ['question'],
          entry: ['noteTime', 'makePlan'],
          on: {
            ANSWER: { guard: 'confirmed', target: 'submitting' },
            BACK: [
              { guard: and([leaverKind, 'askedNewOwner']), target: '#ownerRequests.leaver.newOwner' },
              { guard: leaverKind, target: '#ownerRequests.leaver.leaving', actions: 'lastPerson' },
              { guard: kind('newStarter'), target: '#ownerRequests.newStarter.entering' },
              { guard: kind('joiner'), target: '#ownerRequests.joiner.access' },
              { guard: kind('ownerChange'), target: '#ownerRequests.handover.keepAccess' },
              { guard: kind('nameChange'), target: '#ownerRequests.rename.newName' },
              { guard: kind('siteAudit'), target: '#ownerRequests.audit.list' },
              { target: '#ownerRequests.team.who' },
            ],
          },
        },
        submitting: {
          tags: ['busy'],
          invoke: {
            src: 'submitRequests',
            input: ({ context }) => ({ plan: context.plan!, idempotencyKey: `${context.attemptId}:${context.requestNumber}`, session: context.session }),
            onDone: { target: 'submitted', actions: 'keepResult' },
            onError: { target: 'submitFailed' },
          },
        },
        /** Confirmed, but it could not be stored: trying again sends the same, once. */
        submitFailed: { tags: ['stop'], entry: 'noteTime', on: { TRY_AGAIN: { target: 'submitting' } } },
        submitted: {
          tags: ['done'],
          meta: { title: 'Sent to NAS' },
          entry: 'noteTime',
          on: { ANSWER: [{ guard: 'choseKind', target: '#ownerRequests.authorised', actions: 'startAnother' }, finishing] },
        },
      },
    },
    closed: { type: 'final' },
  },
});

export type OwnerRequestsMachine = typeof ownerRequestsMachine;

import type { AnyMachineSnapshot } from 'xstate';
import type { ConversationReferences } from '../../adapters/conversationReferences';
import type { FlowDialog } from '../../dialogs/types';
import { passwordHelpDialog } from '../../dialogs/passwordHelp';
import { OWNER_ANSWERED_HEADING, ownerAnsweredText, vouchAskedText } from '../../dialogs/passwordHelp/notices';
import { formatVouchCode } from '../../adapters/resetVouches';
import { passwordHelpActions, passwordHelpActors, passwordHelpMachine } from '../../machines/passwordHelp';
import type { Notifier } from '../notifier';
import { createPasswordHelpServices, type PasswordHelpDeps } from './passwordHelpServices';
import type { Flow, FlowAdapters } from './types';

/**
 * Password and account help (SPEC §2): machines/passwordHelp, dialogs/passwordHelp, and its effects
 * done with the adapters (bot/flows/passwordHelpServices.ts). A shared mailbox owner with a Teams
 * chat of their own is asked there, through the notifier, and the requester is told the owner's
 * answer in the chat where they asked.
 */

/** What the owner's own conversation is, as found in the kept references. */
interface OwnerChat {
  conversationKey: string;
}

/** The notifier and references, which exist only once the engine does (it needs the flows first). */
export interface Proactive {
  notifier?: Pick<Notifier, 'notify'>;
  references?: Pick<ConversationReferences, 'findByUser'>;
}

export function proactiveDeps(proactive: Proactive | undefined, now: () => number): Pick<PasswordHelpDeps, 'ownerChat' | 'askInTeams' | 'tellRequester'> {
  if (!proactive) return {};
  return {
    async ownerChat(owner) {
      const found = await proactive.references?.findByUser(owner.address, 'msteams');
      return found?.[0] ? ({ conversationKey: found[0].key } satisfies OwnerChat) : undefined;
    },
    async askInTeams(chat, owner, vouch, code) {
      if (!proactive.notifier) return false;
      const result = await proactive.notifier.notify(
        { conversationKey: (chat as OwnerChat).conversationKey },
        {
          text: vouchAskedText(vouch, formatVouchCode(code)),
          // At the menu the owner is asked at once; in the middle of something else, the text says how.
          event: { type: 'START_FLOW', flow: passwordHelpDialog.id, start: { vouchCode: code } },
          idempotencyKey: `vouch:${vouch.id}:${owner.address}`,
          repeatPrompt: true,
        },
      );
      return result.outcome === 'delivered' || result.outcome === 'repeated';
    },
    async tellRequester(vouch, status) {
      const notifier = proactive.notifier;
      if (!notifier) return;
      const target = { conversationKey: vouch.requester.conversationKey, conversationReference: vouch.requester.conversationReference };
      // Into the waiting flow: its state moves and it says what the answer means (kept if the
      // channel is unreachable now, for when the requester comes back).
      const told = await notifier.notify(target, {
        text: OWNER_ANSWERED_HEADING,
        event: { type: 'TO_FLOW', event: { type: 'OWNER_ANSWERED', vouchId: vouch.id, status } },
        idempotencyKey: `vouchAnswered:${vouch.id}`,
        repeatPrompt: false,
      });
      // The chat had moved on to something else: the answer on its own, then where they were.
      if (told.outcome === 'delivered' && !told.moved) {
        await notifier.notify(target, { text: ownerAnsweredText(status, now()), idempotencyKey: `vouchAnsweredAlone:${vouch.id}`, repeatPrompt: true });
      }
    },
  };
}

/**
 * The dialog as of the turn being answered: the machine notes the time when a step begins, but a
 * step can be shown again days later (a returning user, an answer not understood), and "NAS is
 * open now, until 5pm today" must then be worked out from that moment, not from when the step
 * began.
 */
export function passwordHelpDialogAt(now: () => number): FlowDialog {
  const at = (snapshot: AnyMachineSnapshot): AnyMachineSnapshot => {
    const context = snapshot.context as { now?: number };
    const moment = Math.max(context.now ?? 0, now());
    // Everything else (its state, its tags) read from the snapshot itself.
    return Object.assign(Object.create(snapshot) as AnyMachineSnapshot, { context: { ...context, now: moment } });
  };
  const d = passwordHelpDialog;
  return {
    ...d,
    intro: () => d.intro(),
    parse: (text, snapshot) => d.parse(text, at(snapshot)),
    prompt: (snapshot, form) => d.prompt(at(snapshot), form),
    hint: (snapshot) => d.hint(at(snapshot)),
    problem: (snapshot) => d.problem?.(at(snapshot)),
    help: (snapshot) => d.help(at(snapshot)),
    previousAnswer: (snapshot) => d.previousAnswer(at(snapshot)),
    cannotGoBack: (snapshot) => d.cannotGoBack(at(snapshot)),
    field: (snapshot) => d.field?.(at(snapshot)),
    progress: (snapshot) => d.progress(at(snapshot)),
    isFinished: (snapshot) => d.isFinished?.(snapshot) ?? false,
  };
}

export const passwordHelp: Flow = {
  id: passwordHelpDialog.id,
  version: 1,
  machine: passwordHelpMachine,
  dialog: passwordHelpDialog,
  dialogFor: (adapters: FlowAdapters) => passwordHelpDialogAt(adapters.now ?? Date.now),
  services(adapters: FlowAdapters) {
    const now = adapters.now ?? Date.now;
    const services = createPasswordHelpServices({
      accounts: adapters.accounts,
      codes: adapters.verificationCodes,
      outbox: adapters.outbox,
      requests: adapters.requests,
      vouches: adapters.vouches,
      secret: adapters.secret,
      now,
      ...(adapters.events ? { events: adapters.events } : {}),
      ...proactiveDeps(adapters.proactive, now),
    });
    return { actors: passwordHelpActors(services), actions: passwordHelpActions(now) } as never;
  },
};

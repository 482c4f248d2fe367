import { ownerRequestsDialog } from '../../dialogs/ownerRequests';
import { ownerRequestsActions, ownerRequestsActors, ownerRequestsMachine } from '../../machines/ownerRequests';
import { createOwnerRequestsServices } from './ownerRequestsServices';
import type { Flow, FlowAdapters } from './types';

/**
 * The shared mailbox owners' requests (SPEC §3): machines/ownerRequests (with the owner
 * verification and member entry children), dialogs/ownerRequests, and their effects done with the
 * adapters (./ownerRequestsServices.ts). A new owner named in a handover is told in their own
 * Teams chat with the assistant when they have one (the notifier), else by email.
 */
export const ownerRequests: Flow = {
  id: ownerRequestsDialog.id,
  version: 1,
  machine: ownerRequestsMachine,
  dialog: ownerRequestsDialog,
  services(adapters: FlowAdapters) {
    const now = adapters.now ?? Date.now;
    const proactive = adapters.proactive;
    const services = createOwnerRequestsServices({
      accounts: adapters.accounts,
      directory: adapters.directory,
      codes: adapters.verificationCodes,
      outbox: adapters.outbox,
      requests: adapters.requests,
      now,
      async ownerChat(address) {
        const found = await proactive?.references?.findByUser(address, 'msteams');
        return found?.[0]?.key;
      },
      async tellInChat(conversationKey, text, idempotencyKey) {
        if (!proactive?.notifier) return false;
        const told = await proactive.notifier.notify({ conversationKey }, { text, idempotencyKey, repeatPrompt: true });
        return told.outcome === 'delivered' || told.outcome === 'repeated';
      },
    });
    return { actors: ownerRequestsActors(services), actions: ownerRequestsActions(now) } as never;
  },
};

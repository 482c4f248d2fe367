import type { AnyMachineSnapshot } from 'xstate';
import type { ServiceEvents } from '../../adapters/serviceEvents';
import { flowSnapshot } from '../../machines/conversation';
import { partOf } from './funnel';

/**
 * The events of one saved turn, read from where the conversation was before it and where it is
 * after (nothing is scanned: each turn tells what it changed): a new conversation, a flow started,
 * a part of it entered, a flow finished, a message not understood. Called by the engine after a
 * turn is saved (a turn that was not saved is sent again by the user and counted then).
 */

export interface TurnObservation {
  conversationKey: string;
  channelId: string;
  /** No conversation was stored before this turn. */
  isNew: boolean;
  /** The root machine's snapshot before the turn (undefined for a new conversation). */
  before?: AnyMachineSnapshot;
  /**
   * The flow's snapshot as it was before the turn, taken then: the root snapshot holds the flow as
   * a live child, which by now is where the turn left it.
   */
  beforeFlow?: AnyMachineSnapshot;
  after: AnyMachineSnapshot;
  /** What the message was read as (`event`, `notUnderstood`, `help`…). */
  parsed: string;
  /** The event sent, when it was one (`RESTART` starts a flow again). */
  eventType?: string;
  /** An answer from the guides was given (the question flow's dialogs say so). */
  answered?: boolean;
  /** The knowledge-base entry that answered. */
  entry?: string;
  /** An answer to "was this helpful?" about an entry. */
  feedback?: { entry: string; helpful: boolean };
}

interface Where {
  flow?: string;
  part?: string;
  attempt?: string;
  /** The flow's state has the tag `done` and not `stop`: it ended with what it was for. */
  finished: boolean;
}

function whereIs(snapshot: AnyMachineSnapshot | undefined, flowThen?: AnyMachineSnapshot): Where {
  if (!snapshot) return { finished: false };
  const value = snapshot.value as unknown;
  const inFlow = value && typeof value === 'object' ? (value as { inFlow?: Record<string, unknown> }).inFlow : undefined;
  const flow = inFlow ? Object.keys(inFlow)[0] : undefined;
  const child = flow ? (flowThen ?? flowSnapshot(snapshot)) : undefined;
  if (!flow || !child) return { finished: false };
  const attempt = (snapshot.context as { attemptId?: unknown } | undefined)?.attemptId;
  return {
    flow,
    part: partOf(child),
    attempt: typeof attempt === 'string' && attempt ? attempt : undefined,
    finished: child.hasTag('done') && !child.hasTag('stop'),
  };
}

export function countTurn(events: ServiceEvents, turn: TurnObservation): void {
  try {
    const channel = turn.channelId;
    if (turn.isNew) events.record({ name: 'conversationStarted', channel });
    const was = whereIs(turn.before, turn.beforeFlow);
    const now = whereIs(turn.after);
    // Not understood, or a question the guides have no answer for.
    if (turn.parsed === 'notUnderstood' || turn.parsed === 'miss') events.record({ name: 'notUnderstood', channel, flow: now.flow, step: now.part });
    // A question answered: from the guides, or by a routed answer (who to contact, what to do).
    if (turn.answered || turn.parsed === 'say') events.record({ name: 'questionAnswered', channel, flow: now.flow, ...(turn.entry ? { detail: turn.entry } : {}) });
    if (turn.feedback) events.record({ name: turn.feedback.helpful ? 'answerHelpful' : 'answerNotHelpful', channel, flow: now.flow, detail: turn.feedback.entry });
    if (!now.flow) return;

    // A new attempt: another attempt id, or (before attempts had ids) another flow or a restart.
    const started = now.attempt
      ? now.attempt !== was.attempt
      : now.flow !== was.flow || turn.eventType === 'RESTART';
    const attempt = now.attempt ?? `${turn.conversationKey}:${now.flow}`;
    if (started) events.record({ name: 'flowStarted', channel, flow: now.flow });
    if (now.part && (started || now.part !== was.part)) {
      events.record({ name: 'stepEntered', channel, flow: now.flow, step: now.part, once: `${attempt}:${now.part}` });
    }
    if (now.finished && (started || !was.finished)) {
      events.record({ name: 'flowFinished', channel, flow: now.flow, once: `${attempt}:finished` });
    }
  } catch {
    // Counting never disturbs the turn.
  }
}

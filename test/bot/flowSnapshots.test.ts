import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setup } from 'xstate';
import { MemoryConversationStore } from '../../adapters/memoryConversationStore';
import type { NasRequestOf } from '../../adapters/nasRequests';
import { buildConversation, memoryAdapters } from '../../bot/app';
import { ConversationEngine, SCHEMA_VERSION, TurnInput } from '../../bot/engine';
import { FLOWS, type Flow } from '../../bot/flows';
import { registration } from '../../bot/flows/registration';
import { createLogger } from '../../bot/logger';
import type { FlowDialog } from '../../dialogs/types';
import { statePath } from '../../machines/flow';

/**
 * Stored conversations across releases: the first release's (schema 1, one flat registration,
 * kept as fixtures written by that release) carry on where they stopped; each flow's snapshot
 * has its own version, so a change to one flow's machine restarts only that flow, saying so.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'snapshots');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, `v1-${name}.json`), 'utf8');

function conversation(flows: readonly Flow[] = FLOWS, shared?: { store: MemoryConversationStore; adapters: ReturnType<typeof memoryAdapters> }) {
  const clock = { now: Date.parse('2026-12-01T10:00:00Z') };
  const adapters = shared?.adapters ?? memoryAdapters(() => clock.now);
  const store = shared?.store ?? new MemoryConversationStore({ ttlMs: 1e12 }, () => clock.now);
  const { machine, dialog } = buildConversation(adapters, flows);
  const engine = new ConversationEngine({ machine, dialog, store, logger: createLogger('silent'), now: () => clock.now, flows });
  let sequence = 0;
  const id = `conversation-${Math.random().toString(36).slice(2)}`;
  const input = (text: string): TurnInput => ({ channelId: 'msteams', conversationId: id, activityId: `${id}-${++sequence}`, kind: 'message', text, conversationReference: { conversation: { id } } });
  const key = engine.conversationKey({ channelId: 'msteams', conversationId: id });
  return {
    engine,
    adapters,
    store,
    clock,
    say: async (text: string) => {
      const result = await engine.turn(input(text));
      return { ...result, text: result.replies.map((r) => r.text).join('\n') };
    },
    put: async (data: string) => {
      const lease = await store.begin(key);
      await store.commit(lease, data);
    },
    stored: async () => {
      const lease = await store.begin(key);
      await store.release(lease);
      return JSON.parse(lease.stored!.data) as {
        schemaVersion: number;
        flowVersions?: Record<string, number>;
        snapshot: { value: unknown; context: { attemptId: string }; children: { flow?: { snapshot: { value: unknown; context: Record<string, unknown>; children: Record<string, { snapshot: { value: unknown } }> } } } };
      };
    },
  };
}

describe('conversations stored by the first release (schema 1) carry on', () => {
  it('there is a fixture of every kind of place a conversation rests', () => {
    expect(readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()).toEqual(
      ['awaiting-passcode', 'member-entry', 'members-list', 'menu-open', 'questionnaire', 'review', 'submitted'].map((n) => `v1-${n}.json`),
    );
  });

  it.each([
    ['questionnaire', 'checks.otpInHand'],
    ['menu-open', 'checks.passed'],
    ['awaiting-passcode', 'verification.awaitingPasscode'],
    ['member-entry', 'members.entering'],
    ['members-list', 'members.list'],
    ['review', 'review.summary'],
    ['submitted', 'review.submitted'],
  ])('%s: stored again as this release writes it, at %s', async (name, state) => {
    const c = conversation();
    await c.put(fixture(name));
    const reply = await c.say('help');
    expect(reply.outcome).toBe('ok');
    expect(reply.text).not.toMatch(/starting again|couldn't pick up/i);
    const stored = await c.stored();
    expect(stored.schemaVersion).toBe(SCHEMA_VERSION);
    expect(stored.flowVersions).toEqual({ registration: registration.version });
    expect(statePath(stored.snapshot.children.flow!.snapshot.value)).toBe(state);
    expect(stored.snapshot.context.attemptId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stored.snapshot.children.flow!.snapshot.context.attemptId).toBe(stored.snapshot.context.attemptId);
  });

  it('questionnaire: the next answer is taken', async () => {
    const c = conversation();
    await c.put(fixture('questionnaire'));
    expect((await c.say('no')).text).toMatch(/check 5 of 6/);
  });

  it('menu open: carrying on shows the checks done', async () => {
    const c = conversation();
    await c.put(fixture('menu-open'));
    expect((await c.say('carry on')).text).toMatch(/Carrying on[\s\S]*all checks done/);
  });

  it('waiting for a posted passcode: a new one is sent, and the registration carries on to the town', async () => {
    const c = conversation();
    await c.put(fixture('awaiting-passcode'));
    expect((await c.say('send it again')).text).toMatch(/new passcode was sent by post/);
    const [letter] = await c.adapters.outbox.latest(1);
    const code = /is: ([A-Z2-9]{8})/.exec(letter!.body)![1]!;
    expect((await c.say(code)).text).toMatch(/Before the passcode I need your CQC location ID/);
    await c.say('1-1002733005');
    expect((await c.say(code)).text).toMatch(/Amazing Carehomes is verified/);
  });

  it('in the middle of a member: the next answer is taken and the member carries on', async () => {
    const c = conversation();
    await c.put(fixture('member-entry'));
    expect((await c.say('Jones')).text).toMatch(/Members \(2 of 10\)\nWhat is Ben Jones's business or personal email address\?/);
  });

  it('the members list: members keep their order, and "remove 2" asks about the right person', async () => {
    const c = conversation();
    await c.put(fixture('members-list'));
    expect((await c.say('remove 2')).text).toMatch(/Remove Sam Lee from the registration\?/);
    expect((await c.say('no')).text).toMatch(/1\. Mrs Jane Smith[\s\S]*2\. Sam Lee/);
  });

  it('the review: confirming submits one request and gives a reference', async () => {
    const c = conversation();
    await c.put(fixture('review'));
    const done = await c.say('confirm and finish');
    const reference = /REG-[A-Z2-9]{8}/.exec(done.text)![0];
    const request = (await c.adapters.requests.get(reference)) as NasRequestOf<'registration'> | undefined;
    expect(request?.details.organisation.odsCode).toBe('VAHC1');
    expect(/REG-[A-Z2-9]{8}/.exec((await c.say('confirm')).text)![0]).toBe(reference);
  });

  it('submitted: the reference stays, and another organisation can be registered', async () => {
    const c = conversation();
    await c.put(fixture('submitted'));
    expect((await c.say('confirm')).text).toMatch(/already submitted \(reference REG-WU3Q8CZL\)/);
    expect((await c.say('register another organisation')).text).toMatch(/A new registration[\s\S]*What kind of organisation/);
  });
});

/** A second, tiny flow, to show that flows' snapshot versions are their own. */
const noteFlow = (version: number): Flow => {
  const machine = setup({}).createMachine({ id: 'note', initial: 'asking', states: { asking: { on: { NOTE: 'noted' } }, noted: { on: { NOTE: 'asking' } } } });
  const dialog: FlowDialog = {
    id: 'note',
    menuLabel: 'Leave a note',
    menuSynonyms: ['note'],
    offer: 'leave a note',
    intro: () => 'A note.',
    parse: (text) => (text === 'note' ? { type: 'NOTE' } : undefined),
    prompt: (snapshot) => ({ text: `Note flow: ${String(snapshot.value)}` }),
    hint: () => 'Say "note".',
    help: () => 'Say "note".',
    previousAnswer: () => undefined,
    cannotGoBack: () => 'Nothing to go back to.',
    progress: () => ({ done: [], left: [] }),
  };
  return { id: 'note', version, machine, dialog, services: () => ({}) };
};

describe("each flow's snapshot carries its own version", () => {
  it("changing one flow's machine restarts only that flow's conversations, saying so; the other flow carries on", async () => {
    const before = [registration, noteFlow(1)];
    const registering = conversation(before);
    await registering.say('register');
    await registering.say('care');
    expect((await registering.stored()).flowVersions).toEqual({ registration: registration.version });
    const noting = conversation(before, { store: registering.store, adapters: registering.adapters });
    await noting.say('leave a note');
    await noting.say('note');
    expect((await noting.stored()).flowVersions).toEqual({ note: 1 });

    // A release changes the registration's machine (a new version, no migration).
    const after = [{ ...registration, version: registration.version + 1, migrate: undefined }, noteFlow(1)];
    const shared = { store: registering.store, adapters: registering.adapters };
    const registeringNow = conversation(after, shared);
    await registeringNow.put(JSON.stringify(await registering.stored()));
    const restarted = await registeringNow.say('no');
    expect(restarted.text).toMatch(/this service has changed since we last spoke[\s\S]*Register my organisation for NHSmail/);
    expect(restarted.text).not.toMatch(/check 3 of 6/);
    expect((await registeringNow.say('register')).text).toMatch(/check 1 of 6/);

    const notingNow = conversation(after, shared);
    await notingNow.put(JSON.stringify(await noting.stored()));
    const carried = await notingNow.say('note');
    expect(carried.text).toMatch(/Note flow: asking/);
    expect(carried.text).not.toMatch(/changed/);
  });

  it('an older version of a flow with a migration is carried over', async () => {
    const c = conversation();
    const v1 = JSON.parse(fixture('questionnaire'));
    // A schema 2 envelope holding a registration snapshot of version 1.
    await c.put(JSON.stringify({ ...v1, schemaVersion: 2, flowVersions: { registration: 1 }, snapshot: { ...v1.snapshot, context: { session: { channelId: 'msteams', conversationKey: 'k', conversationReference: null }, attemptId: 'attempt-x' } } }));
    expect((await c.say('no')).text).toMatch(/check 5 of 6/);
    expect((await c.stored()).snapshot.children.flow!.snapshot.context.attemptId).toBe('attempt-x');
  });
});

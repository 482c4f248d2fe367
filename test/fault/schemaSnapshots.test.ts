import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createAssistant } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import type { TurnInput } from '../../bot/engine';
import { createLogger } from '../../bot/logger';
import { v1StateNow } from '../../machines/registration/migrate';
import type { SnapshotFixture } from './fixtures/captureSnapshots';

/**
 * Conversations stored by every released schema version, captured from real runs
 * (fixtures/captureSnapshots.ts), must still be picked up where they stopped: a release that
 * cannot restore one must migrate it (or bump SCHEMA_VERSION deliberately and add a test saying
 * what the user is told).
 */

const FIXTURES = path.join(__dirname, 'fixtures');
const fixtures: SnapshotFixture[] = readdirSync(FIXTURES)
  .filter((dir) => /^schema-v\d+$/.test(dir))
  .flatMap((dir) =>
    readdirSync(path.join(FIXTURES, dir))
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(path.join(FIXTURES, dir, file), 'utf8')) as SnapshotFixture),
  );

const clock = { now: Date.parse('2026-12-02T10:00:00Z') };

/**
 * Where a stored conversation stands once restored: schema 1's flat registration states are
 * migrated to the nested ones of schema 2 (machines/registration/migrate.ts).
 */
function nowOf(fixture: SnapshotFixture): { root: unknown; flow: unknown; member?: string } {
  if (fixture.schemaVersion !== 1 || typeof fixture.state.flow !== 'string') return fixture.state as never;
  const now = v1StateNow(fixture.state.flow);
  if (!now) throw new Error(`no schema 2 state for ${fixture.state.flow}`);
  const [part, inner] = now.path.split('.');
  return { root: fixture.state.root, flow: { [part!]: inner }, ...(now.member ? { member: now.member } : {}) };
}

function restored(fixture: SnapshotFixture) {
  const assistant = createAssistant(loadConfig({}), createLogger('silent'), () => clock.now);
  const conversationId = `restored-${fixture.name}`;
  let sequence = 0;
  const turn = (text: string) =>
    assistant.engine.turn({ channelId: fixture.channelId, conversationId, activityId: `${fixture.name}-${++sequence}`, kind: 'message', text } satisfies TurnInput);
  const said = async (text: string) => (await turn(text)).replies.map((r) => r.text).join('\n');
  const put = async () => {
    const key = assistant.engine.conversationKey({ channelId: fixture.channelId, conversationId });
    const lease = await assistant.store.begin(key);
    await assistant.store.commit(lease, JSON.stringify(fixture.envelope));
  };
  /** The root and flow state values stored now (and the member entry's, while a member is entered). */
  const state = async () => {
    const key = assistant.engine.conversationKey({ channelId: fixture.channelId, conversationId });
    const lease = await assistant.store.begin(key);
    await assistant.store.release(lease);
    type Persisted = { value: unknown; children?: Record<string, { snapshot?: Persisted } | undefined> };
    const envelope = JSON.parse(lease.stored!.data) as { snapshot: Persisted };
    const flow = envelope.snapshot.children?.flow?.snapshot;
    const member = flow?.children?.member?.snapshot?.value;
    return { root: envelope.snapshot.value, flow: flow?.value ?? null, ...(member ? { member } : {}) };
  };
  return { assistant, turn, said, put, state };
}

describe('conversations stored by released schema versions are restored', () => {
  it('has fixtures of schema version 1, taken from a real run', () => {
    const names = fixtures.filter((f) => f.schemaVersion === 1).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['awaiting-passcode', 'awaiting-passcode-post', 'review', 'members-list-one', 'teams-dental-check-3', 'questionnaire-check-4', 'menu-open-checks-done']));
  });

  it.each(fixtures.map((f) => [`v${f.schemaVersion} ${f.name}`, f] as const))('%s: picked up where it stopped', async (_label, fixture) => {
    const conversation = restored(fixture);
    await conversation.put();
    const reply = await conversation.turn('help');
    expect(reply.outcome).toBe('ok');
    const text = reply.replies.map((r) => r.text).join('\n');
    expect(text).not.toMatch(/starting again/i);
    expect(await conversation.state()).toEqual(nowOf(fixture));
    if (fixture.envelope.identity) {
      expect(await conversation.assistant.engine.identityOf({ channelId: fixture.channelId, conversationId: `restored-${fixture.name}` })).toEqual(
        fixture.envelope.identity,
      );
    }
  });

  it('v1 review: confirming submits one request and gives a reference', async () => {
    const conversation = restored(fixtures.find((f) => f.name === 'review' && f.schemaVersion === 1)!);
    await conversation.put();
    const done = await conversation.said('confirm and finish');
    const reference = /REG-[A-Z2-9]{8}/.exec(done)?.[0];
    expect(reference).toBeDefined();
    expect(await conversation.assistant.adapters.requests.get(reference!)).toBeDefined();
  });

  it('v1 awaiting passcode: a new passcode is sent and the registration carries on to the town', async () => {
    const conversation = restored(fixtures.find((f) => f.name === 'awaiting-passcode' && f.schemaVersion === 1)!);
    await conversation.put();
    await conversation.said('send it again');
    const [message] = await conversation.assistant.adapters.outbox.latest(1);
    const code = /is: ([A-Z2-9]{8})/.exec(message?.body ?? '')?.[1];
    expect(code).toBeDefined();
    await conversation.said('I have my passcode');
    await conversation.said('1-1002733005');
    expect(await conversation.said(code!)).toMatch(/is verified[\s\S]*postcode town/);
  });

  it('v1 in the middle of a member: the next answer is taken', async () => {
    const fixture = fixtures.find((f) => f.name === 'member-last-name' && f.schemaVersion === 1)!;
    const conversation = restored(fixture);
    await conversation.put();
    await conversation.said('Lund');
    const after = await conversation.state();
    expect(after).not.toEqual(nowOf(fixture));
    expect(after.member).toBe('email');
  });
});

import { ConversationBusyError, ConversationStore, StoreUnavailableError } from '../../adapters/conversationStore';
import { FLOWS } from '../../bot/flows';
import { MemoryConversationStore } from '../../adapters/memoryConversationStore';
import { ConversationEngine, SCHEMA_VERSION, TurnInput } from '../../bot/engine';
import { buildConversation, memoryAdapters } from '../../bot/app';
import { createLogger } from '../../bot/logger';

const { machine, dialog } = buildConversation(memoryAdapters());

function engineWith(store: ConversationStore) {
  return new ConversationEngine({ machine, dialog, store, logger: createLogger('silent') });
}

let sequence = 0;
const message = (text: string, activityId = `a-${++sequence}`): TurnInput => ({
  channelId: 'test',
  conversationId: 'conversation-1',
  activityId,
  kind: 'message',
  text,
});
const texts = (result: { replies: { text: string }[] }) => result.replies.map((r) => r.text).join('\n');

async function storedEnvelope(store: MemoryConversationStore, engine: ConversationEngine) {
  const key = engine.conversationKey({ channelId: 'test', conversationId: 'conversation-1' });
  const lease = await store.begin(key);
  await store.release(lease);
  return { key, data: lease.stored?.data };
}

async function overwrite(store: MemoryConversationStore, key: string, data: string) {
  const lease = await store.begin(key);
  await store.commit(lease, data);
}

describe('the conversation engine', () => {
  it('processes a redelivered activity once', async () => {
    const engine = engineWith(new MemoryConversationStore({ ttlMs: 60_000 }));
    await engine.turn(message('register'));
    const first = await engine.turn(message('care', 'same-id'));
    const again = await engine.turn(message('care', 'same-id'));
    expect(first.outcome).toBe('ok');
    expect(again).toMatchObject({ replies: [], outcome: 'duplicate' });
    expect(texts(await engine.turn(message('no')))).toMatch(/check 3 of 6/);
  });

  it('keeps a snapshot that is small and carries its schema version', async () => {
    const store = new MemoryConversationStore({ ttlMs: 60_000 });
    const engine = engineWith(store);
    for (const text of ['register', 'care', 'no', 'yes', 'no', 'no', 'email']) await engine.turn(message(text));
    const { data } = await storedEnvelope(store, engine);
    const envelope = JSON.parse(data!);
    expect(envelope.schemaVersion).toBe(SCHEMA_VERSION);
    expect(data!.length).toBeLessThan(2048);
  });

  const broken: [string, (valid: string) => string][] = [
    ['corrupt JSON', () => '{"schemaVersion":1,"snap'],
    ['not an envelope', () => JSON.stringify({ hello: 'world' })],
    ['an older schema version', (valid) => JSON.stringify({ ...JSON.parse(valid), schemaVersion: 0 })],
    ['a state that no longer exists', (valid) => valid.replace('"existingAccount"', '"aQuestionWeRemoved"')],
    ['a flow that no longer exists', (valid) => valid.replace(/"registration"/g, '"oldFlow"')],
    [
      'a flow whose answers are missing',
      (valid) => {
        const envelope = JSON.parse(valid);
        envelope.snapshot.children.flow.snapshot.context = null;
        return JSON.stringify(envelope);
      },
    ],
  ];
  it.each(broken)('starts again, saying so, when the stored conversation is %s', async (_label, spoil) => {
    const store = new MemoryConversationStore({ ttlMs: 60_000 });
    const engine = engineWith(store);
    await engine.turn(message('register'));
    await engine.turn(message('care'));
    const { key, data } = await storedEnvelope(store, engine);
    await overwrite(store, key, spoil(data!));

    const result = await engine.turn(message('no'));
    expect(result.outcome).toBe('ok');
    expect(texts(result)).toMatch(/couldn't pick up our earlier conversation, so we are starting again/);
    expect(result.replies.at(-1)?.choices).toEqual(FLOWS.map((f) => f.dialog.menuLabel));
    // And the conversation works again.
    expect(texts(await engine.turn(message('register')))).toMatch(/check 1 of 6/);
  });

  it('tells the user the service is briefly unavailable when the store cannot be reached, and saves nothing', async () => {
    const memory = new MemoryConversationStore({ ttlMs: 60_000 });
    let down = false;
    const flaky: ConversationStore = {
      begin: (key) => (down ? Promise.reject(new StoreUnavailableError('down')) : memory.begin(key)),
      commit: (lease, data) => (down ? Promise.reject(new StoreUnavailableError('down')) : memory.commit(lease, data)),
      release: (lease) => memory.release(lease),
      ping: () => memory.ping(),
      close: () => memory.close(),
    };
    const engine = engineWith(flaky);
    await engine.turn(message('register'));
    down = true;
    const result = await engine.turn(message('care'));
    expect(result.outcome).toBe('unavailable');
    expect(texts(result)).toMatch(/briefly unavailable/);
    down = false;
    expect(texts(await engine.turn(message('care')))).toMatch(/check 2 of 6/);
  });

  it('asks the user to resend when an earlier message is still being handled', async () => {
    const busy: ConversationStore = {
      begin: () => Promise.reject(new ConversationBusyError()),
      commit: () => Promise.resolve('etag'),
      release: () => Promise.resolve(),
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const result = await engineWith(busy).turn(message('hello'));
    expect(result.outcome).toBe('busy');
    expect(texts(result)).toMatch(/still working on your previous message/);
  });

  it('never lets a failure inside a turn escape: the user gets an apology and the state is kept', async () => {
    const store = new MemoryConversationStore({ ttlMs: 60_000 });
    const engine = engineWith(store);
    await engine.turn(message('register'));
    const parse = jest.spyOn(dialog, 'parse').mockImplementationOnce(() => {
      throw new Error('a bug');
    });
    const result = await engine.turn(message('care'));
    parse.mockRestore();
    expect(result.outcome).toBe('error');
    expect(texts(result)).toMatch(/something went wrong on my side/);
    expect(texts(await engine.turn(message('care')))).toMatch(/check 2 of 6/);
  });

  it('reads a conversation another process moved on from the store, not from its own memory', async () => {
    const store = new MemoryConversationStore({ ttlMs: 60_000 });
    const one = engineWith(store);
    const two = engineWith(store);
    await one.turn(message('register'));
    expect(texts(await two.turn(message('care')))).toMatch(/check 2 of 6/);
    // `one` still holds its own copy from before `two`'s turn: it must not use it.
    expect(texts(await one.turn(message('no')))).toMatch(/check 3 of 6/);
    expect(texts(await two.turn(message('yes')))).toMatch(/check 4 of 6/);
    expect(texts(await one.turn(message('back')))).toMatch(/Last time you answered: yes[\s\S]*check 3 of 6/);
  });

  it('runs turns of one conversation one after the other, in the order they arrive', async () => {
    const engine = engineWith(new MemoryConversationStore({ ttlMs: 60_000 }));
    await engine.turn(message('register'));
    const answers = ['care', 'no', 'yes', 'no', 'no'];
    const results = await Promise.all(answers.map((text) => engine.turn(message(text))));
    expect(results.map((r) => r.replies.at(-1)?.text.split('\n')[0])).toEqual([
      'Before you start · check 2 of 6',
      'Before you start · check 3 of 6',
      'Before you start · check 4 of 6',
      'Before you start · check 5 of 6',
      'Before you start · check 6 of 6',
    ]);
  });
});

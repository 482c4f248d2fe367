import { MemoryServiceEvents } from '../../adapters/memoryServiceEvents';
import { dashboardStats, formatMinutes, medianOf } from '../../bot/backOffice/stats';
import { fakeClock } from '../helpers/clock';

const MINUTE = 60_000;
const STEPS = [
  { step: 'organisation', title: 'Organisation details' },
  { step: 'members', title: 'Members' },
];

describe('the median time to done', () => {
  it.each([
    [[], undefined],
    [[{ minutes: 5, count: 1 }], 5],
    [[{ minutes: 5, count: 1 }, { minutes: 9, count: 1 }], 7],
    [[{ minutes: 60, count: 3 }, { minutes: 1, count: 1 }], 60],
    [[{ minutes: 1, count: 2 }, { minutes: 100, count: 2 }], 50.5],
    [[{ minutes: 3, count: 0 }, { minutes: 8, count: 1 }], 8],
  ])('of %j is %p', (histogram, median) => {
    expect(medianOf(histogram)).toBe(median);
  });

  it.each([
    [undefined, '–'],
    [1, '1 minute'],
    [59, '59 minutes'],
    [60, '1 hour'],
    [125, '2 hours 5 minutes'],
    [1440, '1 day'],
    [1440 * 3 + 240, '3 days 4 hours'],
  ])('%p minutes read as "%s"', (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});

describe('the dashboard figures', () => {
  it('sum every counter of the period: totals, channels, the funnel with its drop-off, requests per day, time to done', async () => {
    const clock = fakeClock(Date.UTC(2025, 5, 2, 9));
    const events = new MemoryServiceEvents({ now: clock.now });
    const start = (channel: string, attempt: string, parts: string[], finished: boolean) => {
      events.record({ name: 'flowStarted', channel, flow: 'registration' });
      for (const step of parts) events.record({ name: 'stepEntered', channel, flow: 'registration', step, once: `${attempt}:${step}` });
      if (finished) events.record({ name: 'flowFinished', channel, flow: 'registration', once: `${attempt}:finished` });
    };
    for (let i = 0; i < 6; i++) events.record({ name: 'conversationStarted', channel: i < 4 ? 'msteams' : 'webchat' });
    start('msteams', 'a1', ['organisation', 'members', 'members'], true);
    start('msteams', 'a2', ['organisation', 'members'], false);
    start('webchat', 'a3', ['organisation'], false);
    start('webchat', 'a4', [], false);
    events.record({ name: 'passcodeRequested', detail: 'email' });
    events.record({ name: 'passcodeRequested', detail: 'post' });
    events.record({ name: 'passcodeRequested', detail: 'post' });
    events.record({ name: 'lockedOut', detail: 'registration' });
    events.record({ name: 'resetVerified', detail: 'mobile' });
    events.record({ name: 'resetVerified', detail: 'owner' });
    events.record({ name: 'notUnderstood', channel: 'webchat' });
    events.record({ name: 'questionAnswered', channel: 'webchat' });
    events.record({ name: 'handedToPerson', channel: 'webchat' });
    events.record({ name: 'requestCreated', kind: 'registration', channel: 'msteams' });
    events.record({ name: 'requestCreated', kind: 'question', channel: 'webchat' });
    clock.advance(24 * 60 * MINUTE);
    events.record({ name: 'requestCreated', kind: 'registration', channel: 'msteams' });
    events.record({ name: 'requestDone', kind: 'registration', durationMs: 30 * MINUTE });
    events.record({ name: 'requestDone', kind: 'registration', durationMs: 90 * MINUTE });
    events.record({ name: 'requestDone', kind: 'question', durationMs: 10 * MINUTE });
    events.record({ name: 'requestRejected', kind: 'question' });

    const stats = dashboardStats(await events.counts({ from: '2025-06-01', to: '2025-06-03' }), STEPS);
    expect(stats.from).toBe('2025-06-01');
    expect(stats.to).toBe('2025-06-03');
    expect(stats.totals).toEqual({
      conversationsStarted: 6,
      registrationsStarted: 4,
      registrationsFinished: 1,
      passcodesRequested: 3,
      passcodesByEmail: 1,
      passcodesByPost: 2,
      lockOuts: 1,
      resetsVerifiedByMobile: 1,
      resetsVerifiedByOwner: 1,
      questionsAnswered: 1,
      questionsNotUnderstood: 1,
      handedToPerson: 1,
      requestsCreated: 3,
      requestsDone: 3,
      requestsRejected: 1,
    });
    expect(stats.byChannel).toEqual([
      { channel: 'msteams', conversationsStarted: 4, registrationsStarted: 2, registrationsFinished: 1 },
      { channel: 'webchat', conversationsStarted: 2, registrationsStarted: 2, registrationsFinished: 0 },
    ]);
    expect(stats.funnel).toEqual([
      { step: 'started', title: 'Started', reached: 4, percentOfStarted: 100, droppedHere: 1 },
      { step: 'organisation', title: 'Organisation details', reached: 3, percentOfStarted: 75, droppedHere: 1 },
      { step: 'members', title: 'Members', reached: 2, percentOfStarted: 50, droppedHere: 1 },
      { step: 'finished', title: 'Finished', reached: 1, percentOfStarted: 25, droppedHere: 0 },
    ]);
    expect(stats.requestKinds).toEqual(['question', 'registration']);
    expect(stats.requestsPerDay).toEqual([
      { day: '2025-06-01', total: 0, byKind: {} },
      { day: '2025-06-02', total: 2, byKind: { registration: 1, question: 1 } },
      { day: '2025-06-03', total: 1, byKind: { registration: 1 } },
    ]);
    expect(stats.timeToDone).toEqual([
      { kind: 'all', count: 3, medianMinutes: 30 },
      { kind: 'question', count: 1, medianMinutes: 10 },
      { kind: 'registration', count: 2, medianMinutes: 60 },
    ]);
  });

  it('of a period with nothing in it are zeros, with the funnel at 0 %', async () => {
    const stats = dashboardStats(await new MemoryServiceEvents().counts({ from: '2025-06-01', to: '2025-06-01' }), STEPS);
    expect(stats.funnel.map((r) => [r.step, r.reached, r.percentOfStarted])).toEqual([
      ['started', 0, 0],
      ['organisation', 0, 0],
      ['members', 0, 0],
      ['finished', 0, 0],
    ]);
    expect(stats.timeToDone).toEqual([{ kind: 'all', count: 0 }]);
    expect(stats.byChannel).toEqual([]);
  });
});

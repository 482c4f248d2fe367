import { MemoryNasRequests } from '../../adapters/memoryNasRequests';
import type { NasRequest, NasRequestStatus } from '../../adapters/nasRequests';
import { MemoryOutbox } from '../../adapters/memoryOutbox';
import { BackOffice } from '../../bot/backOffice/service';
import { fakeClock } from '../helpers/clock';
import { newOdsCode, registration } from '../helpers/nasRequests';

/** Taking a request is a change of status like any other: the requester hears it, once. */
describe('taking the next request of a queue', () => {
  it('tells the requester it is in progress; offered again to another worker 10 minutes later, it is not told twice', async () => {
    const clock = fakeClock();
    const requests = new MemoryNasRequests({ now: clock.now });
    const told: { reference: string; status: NasRequestStatus; previous: NasRequestStatus }[] = [];
    const office = new BackOffice({
      requests,
      outbox: new MemoryOutbox({ now: clock.now }),
      funnelSteps: [],
      now: clock.now,
      tellRequester: async (request: NasRequest, previous: NasRequestStatus) => {
        told.push({ reference: request.reference, status: request.status, previous });
        return { how: 'chat' };
      },
    });
    const made = await requests.submit(registration(newOdsCode()));
    if (made.outcome !== 'created') throw new Error(made.outcome);

    const first = await office.take('care', 'Sam Jones');
    expect(first).toMatchObject({ reference: made.request.reference, status: 'inProgress', assignee: 'Sam Jones' });
    expect(told).toEqual([{ reference: made.request.reference, status: 'inProgress', previous: 'received' }]);

    // Sam never finishes it: it goes to Priya, still in progress, and the requester hears nothing new.
    clock.advance(10 * 60_000 + 1);
    const again = await office.take('care', 'Priya Shah');
    expect(again).toMatchObject({ reference: made.request.reference, status: 'inProgress', assignee: 'Priya Shah' });
    expect(told).toHaveLength(1);
    expect(await office.take('care', 'Sam Jones')).toBeUndefined();
  });

  it('a requester who cannot be told does not stop the request being taken', async () => {
    const clock = fakeClock();
    const requests = new MemoryNasRequests({ now: clock.now });
    const warned: string[] = [];
    const office = new BackOffice({
      requests,
      outbox: new MemoryOutbox({ now: clock.now }),
      funnelSteps: [],
      now: clock.now,
      tellRequester: async () => {
        throw new Error('the channel is down');
      },
      warn: (_fields, message) => warned.push(message),
    });
    await requests.submit(registration(newOdsCode()));
    await expect(office.take('care', 'Sam Jones')).resolves.toMatchObject({ status: 'inProgress' });
    expect(warned).toEqual(['requester not told of a status change']);
  });
});

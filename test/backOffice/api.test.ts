import { MemoryNasRequests } from '../../adapters/memoryNasRequests';
import { MemoryOutbox } from '../../adapters/memoryOutbox';
import { MemoryServiceEvents } from '../../adapters/memoryServiceEvents';
import { NasRequests, NasSubmission, RECLAIM_AFTER_MS } from '../../adapters/nasRequests';
import { openApiDocument } from '../../bot/backOffice/openapi';
import { fakeClock, FakeClock } from '../helpers/clock';
import { registration, newOdsCode } from '../helpers/nasRequests';
import { ApiClient, openApiProblems, startBackOfficeServer } from './helpers';

const CARE_TOKEN = 'care-token-'.padEnd(40, 'c');
const DENTAL_TOKEN = 'dental-token-'.padEnd(40, 'd');
const TOKENS = [
  { queue: 'care' as const, token: CARE_TOKEN },
  { queue: 'dental' as const, token: DENTAL_TOKEN },
];
const MINUTE = 60_000;

function dental(ods: string): NasSubmission<'registration'> {
  const base = registration(ods);
  return { ...base, queue: 'dental', details: { ...base.details, organisation: { ...base.details.organisation, kind: 'dental', name: 'Quay Dental' } } };
}

describe('the back office API is off', () => {
  it('when no token is configured: every route answers 404', async () => {
    const server = await startBackOfficeServer({ tokens: undefined, requests: new MemoryNasRequests(), outbox: new MemoryOutbox(), funnelSteps: [] });
    try {
      expect(server.on).toBe(false);
      for (const route of ['/nas/api/requests', '/nas/api/openapi.json', '/nas/']) {
        expect((await fetch(`${server.url}${route}`, { headers: { Authorization: `Bearer ${CARE_TOKEN}` } })).status).toBe(404);
      }
    } finally {
      await server.close();
    }
  });
});

describe('the back office API', () => {
  let clock: FakeClock;
  let requests: NasRequests;
  let outbox: MemoryOutbox;
  let server: Awaited<ReturnType<typeof startBackOfficeServer>>;
  const care = new ApiClient('', CARE_TOKEN);
  const refs: string[] = [];
  let dentalRef = '';
  const orgs: string[] = [];

  const submit = async (input: NasSubmission<'registration'>) => {
    clock.advance(MINUTE);
    const result = await requests.submit(input);
    if (result.outcome !== 'created') throw new Error(`not created: ${result.outcome}`);
    return result.request.reference;
  };

  beforeAll(async () => {
    clock = fakeClock();
    requests = new MemoryNasRequests({ now: clock.now });
    outbox = new MemoryOutbox({ now: clock.now });
    const events = new MemoryServiceEvents({ now: clock.now });
    server = await startBackOfficeServer({ tokens: TOKENS, requests, outbox, events, funnelSteps: [{ step: 'members', title: 'Members' }], now: clock.now });
    care.url = server.url;
    for (let i = 0; i < 4; i++) {
      orgs.push(newOdsCode());
      refs.push(await submit(registration(orgs[i]!)));
    }
    dentalRef = await submit(dental(newOdsCode()));
    events.record({ name: 'flowStarted', flow: 'registration', channel: 'webchat' });
  });

  afterAll(async () => {
    await server.close();
  });

  afterAll(() => {
    // Everything the API answered in this file is in the OpenAPI document, bodies included.
    expect(openApiProblems(care.seen)).toEqual([]);
    const documented = Object.entries(openApiDocument.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    const exercised = new Set(care.seen.map((s) => `${s.method} ${s.template}`));
    expect(documented.filter((d) => !exercised.has(d))).toEqual([]);
  });

  it('serves its OpenAPI document without a token', async () => {
    const doc = await care.call('GET', '/nas/api/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({ openapi: '3.1.0', info: { title: expect.stringMatching(/NAS back office/) } });
  });

  it('refuses without a token (401, saying how to send one) and with one it does not know (401)', async () => {
    const none = await care.call('GET', '/nas/api/requests', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="nas"');
    expect(none.body.error).toMatch(/Authorization: Bearer <token>/);
    const wrong = await care.call('GET', '/nas/api/requests', { token: 'x'.repeat(40) });
    expect(wrong.status).toBe(401);
    expect((await care.call('GET', `/nas/api/requests/${refs[0]}`, { headers: { Authorization: `Basic ${CARE_TOKEN}` }, token: null })).status).toBe(401);
    expect((await care.call('GET', '/nas/api/counts', { token: null })).status).toBe(401);
    expect((await care.call('GET', '/nas/api/stats', { token: 'nope' })).status).toBe(401);
    expect((await care.call('GET', '/nas/api/export', { token: null })).status).toBe(401);
    expect((await care.call('POST', '/nas/api/queues/care/take', { token: null, body: { worker: 'x' } })).status).toBe(401);
    expect((await care.call('POST', `/nas/api/requests/${refs[0]}/status`, { token: null, body: {} })).status).toBe(401);
  });

  it("lists the token's queue newest first, a page at a time, filtered by status, kind and ODS code", async () => {
    const all = await care.call('GET', '/nas/api/requests');
    expect(all.status).toBe(200);
    expect(all.body.requests.map((r: { reference: string }) => r.reference)).toEqual([...refs].reverse());
    expect(all.body.requests[0]).toMatchObject({ kind: 'registration', kindName: 'registration', status: 'received', statusName: 'received', summary: `Rose Court Care Home (${orgs[3]}), 2 members`, version: 1 });
    expect(all.body.requests[0].requester).toBeUndefined();

    const first = await care.call('GET', '/nas/api/requests?limit=3');
    expect(first.body.requests).toHaveLength(3);
    const second = await care.call('GET', `/nas/api/requests?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.requests.map((r: { reference: string }) => r.reference)).toEqual([refs[0]]);
    expect(second.body.nextCursor).toBeUndefined();

    const byOrg = await care.call('GET', `/nas/api/requests?org=${orgs[1]!.toLowerCase()}&status=received,inProgress&kind=registration`);
    expect(byOrg.body.requests.map((r: { reference: string }) => r.reference)).toEqual([refs[1]]);

    const dentalList = await care.call('GET', '/nas/api/requests', { token: DENTAL_TOKEN });
    expect(dentalList.body.requests.map((r: { reference: string }) => r.reference)).toEqual([dentalRef]);
  });

  it('refuses a filter it cannot read, naming what it can', async () => {
    const status = await care.call('GET', '/nas/api/requests?status=open');
    expect(status.status).toBe(400);
    expect(status.body.error).toBe('unknown status "open": use received, inProgress, waitingForRequester, done, rejected');
    expect((await care.call('GET', '/nas/api/requests?kind=hospice')).body.error).toMatch(/^unknown kind "hospice": use registration, passwordReset/);
    expect((await care.call('GET', '/nas/api/requests?limit=500')).body.error).toBe('"limit" must be a whole number from 1 to 200');
    expect((await care.call('GET', '/nas/api/requests?org=not-a-code')).status).toBe(400);
    expect((await care.call('GET', '/nas/api/requests?cursor=rubbish')).body.error).toMatch(/cursor/);
  });

  it('shows a request with its details, history and ETag; 404 for an unknown one, 403 for one of another queue', async () => {
    const shown = await care.call('GET', `/nas/api/requests/${refs[0]!.toLowerCase()}`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('etag')).toBe('"1"');
    expect(shown.body).toMatchObject({
      reference: refs[0],
      allowedStatuses: ['inProgress', 'waitingForRequester', 'rejected'],
      requester: { channel: 'msteams' },
      details: { organisation: { odsCode: orgs[0] }, members: expect.any(Array) },
      history: [{ status: 'received', statusName: 'received', by: 'requester', at: new Date(clock.t - 4 * MINUTE).toISOString() }],
    });
    expect(JSON.stringify(shown.body)).not.toContain('conversationReference');
    const unknown = await care.call('GET', '/nas/api/requests/REG-ABCDEFGH');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('there is no request REG-ABCDEFGH');
    expect((await care.call('GET', '/nas/api/requests/not-a-reference')).body.error).toBe('"not-a-reference" is not a NAS reference (e.g. REG-7KD9QX2P)');
    const other = await care.call('GET', `/nas/api/requests/${dentalRef}`);
    expect(other.status).toBe(403);
    expect(other.body.error).toBe(`${dentalRef} is in the dental queue; this token is for the care queue`);
  });

  it('changes a status only with the ETag it was read at: 428 without, 409 when it changed, 400 for a move the status machine refuses', async () => {
    const ref = refs[1]!;
    const path = `/nas/api/requests/${ref}/status`;
    expect((await care.call('POST', path, { body: { status: 'inProgress', by: 'Sam Jones' } })).status).toBe(428);
    const invalid = await care.call('POST', path, { body: { status: 'done', by: 'Sam Jones' }, headers: { 'If-Match': '"1"' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({
      error: 'a request that is received cannot become done: it may move to in progress, waiting for the requester, rejected',
      problem: 'notAllowed',
      allowed: ['inProgress', 'waitingForRequester', 'rejected'],
    });
    const noQuestion = await care.call('POST', path, { body: { status: 'waitingForRequester', by: 'Sam Jones' }, headers: { 'If-Match': '"1"' } });
    expect(noQuestion.body).toMatchObject({ problem: 'questionRequired', error: 'a question for the requester is required' });

    const moved = await care.call('POST', path, { body: { status: 'inProgress', by: 'Sam Jones', reason: 'checking the CQC record' }, headers: { 'If-Match': '"1"' } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe('"2"');
    expect(moved.body).toMatchObject({ previous: 'received', welcomeMessages: 0, told: { how: 'notTold' }, request: { status: 'inProgress', version: 2 } });
    expect(moved.body.request.history[1]).toMatchObject({ status: 'inProgress', by: 'Sam Jones', reason: 'checking the CQC record' });

    const stale = await care.call('POST', path, { body: { status: 'done', by: 'Ali Khan' }, headers: { 'If-Match': 'W/"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('etag')).toBe('"2"');
    expect(stale.body.error).toBe(`${ref} has changed since you read it (now version 2, inProgress): read it again`);

    const asked = await care.call('POST', path, { body: { status: 'waitingForRequester', by: 'Sam Jones', question: 'Which town is the home in?' }, headers: { 'If-Match': '"2"' } });
    expect(asked.body.request).toMatchObject({ status: 'waitingForRequester', openQuestion: 'Which town is the home in?', allowedStatuses: ['inProgress', 'rejected'] });
    const answered = await care.call('POST', path, { body: { status: 'inProgress', by: 'Sam Jones', answer: 'Leeds' }, headers: { 'If-Match': '"3"' } });
    expect(answered.body.request.history[3]).toMatchObject({ status: 'inProgress', answer: 'Leeds' });
  });

  it('records the welcome messages when a registration is marked done', async () => {
    const ref = refs[2]!;
    await care.call('POST', `/nas/api/requests/${ref}/status`, { body: { status: 'inProgress', by: 'Sam Jones' }, headers: { 'If-Match': '"1"' } });
    const done = await care.call('POST', `/nas/api/requests/${ref}/status`, { body: { status: 'done', by: 'Sam Jones' }, headers: { 'If-Match': '"2"' } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ welcomeMessages: 4, request: { status: 'done', allowedStatuses: [] } });
    const welcome = (await outbox.latest(10)).filter((m) => m.tags?.reference === ref);
    expect(welcome.map((m) => m.channel).sort()).toEqual(['email', 'email', 'sms', 'sms']);
    const finalMove = await care.call('POST', `/nas/api/requests/${ref}/status`, { body: { status: 'rejected', by: 'Sam Jones', reason: 'x' }, headers: { 'If-Match': '"3"' } });
    expect(finalMove.body.error).toBe('a request that is done cannot become rejected: done is final');
  });

  it('refuses a status change with a body it cannot read, saying what is wrong', async () => {
    const path = `/nas/api/requests/${refs[0]}/status`;
    const ifMatch = { 'If-Match': '"1"' };
    expect((await care.call('POST', path, { body: 'status=done', headers: { ...ifMatch, 'Content-Type': 'text/plain' } })).body.error).toBe(
      'the body must be a JSON object (Content-Type: application/json)',
    );
    expect((await care.call('POST', path, { body: { status: 'finished', by: 'x' }, headers: ifMatch })).body.error).toBe(
      '"status" must be one of received, inProgress, waitingForRequester, done, rejected',
    );
    expect((await care.call('POST', path, { body: { status: 'inProgress' }, headers: ifMatch })).body.error).toBe('"by" must name who makes the change');
    expect((await care.call('POST', path, { body: { status: 'inProgress', by: 'x', reason: 'y'.repeat(2001) }, headers: ifMatch })).body.error).toBe(
      '"reason" must be at most 2000 characters',
    );
    expect((await care.call('POST', path, { body: { status: 'inProgress', by: 'x' }, headers: { 'If-Match': 'yesterday' } })).body.error).toMatch(/If-Match must be the ETag/);
    expect((await care.call('POST', `/nas/api/requests/${dentalRef}/status`, { body: { status: 'inProgress', by: 'x' }, headers: ifMatch })).status).toBe(403);
    expect((await care.call('POST', '/nas/api/requests/REG-ABCDEFGH/status', { body: { status: 'inProgress', by: 'x' }, headers: ifMatch })).status).toBe(404);
  });

  it('gives the next request of the queue to a worker, one held 10 minutes unfinished again, and 204 when nothing waits', async () => {
    expect((await care.call('POST', '/nas/api/queues/care/take', { body: {} })).body.error).toBe('"worker" must name who takes the request');
    expect((await care.call('POST', '/nas/api/queues/dental/take', { body: { worker: 'Sam' } })).status).toBe(403);
    expect((await care.call('POST', '/nas/api/queues/hospice/take', { body: { worker: 'Sam' } })).status).toBe(404);
    const first = await care.call('POST', '/nas/api/queues/care/take', { body: { worker: 'Sam Jones' } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ reference: refs[0], status: 'inProgress', assignee: 'Sam Jones' });
    expect(first.headers.get('etag')).toBe(`"${first.body.version}"`);
    // refs[2] is done; refs[1], answered after waiting for its requester, came back at the end.
    expect((await care.call('POST', '/nas/api/queues/care/take', { body: { worker: 'Ali Khan' } })).body.reference).toBe(refs[3]);
    const third = await care.call('POST', '/nas/api/queues/care/take', { body: { worker: 'Ali Khan' } });
    expect(third.body).toMatchObject({ reference: refs[1], status: 'inProgress', assignee: 'Ali Khan' });
    const fourth = await care.call('POST', '/nas/api/queues/care/take', { body: { worker: 'Ali Khan' } });
    expect([fourth.status, fourth.body]).toEqual([204, '']);
    // Sam goes home without finishing: after 10 minutes his request is offered to the next worker.
    clock.advance(RECLAIM_AFTER_MS + 1);
    const again = await care.call('POST', '/nas/api/queues/care/take', { body: { worker: 'Priya' } });
    expect(again.body).toMatchObject({ reference: refs[0], assignee: 'Priya' });
  });

  it("counts the token's queue by status and kind", async () => {
    const counts = await care.call('GET', '/nas/api/counts');
    expect(counts.body).toEqual({
      queue: 'care',
      byStatus: { received: {}, inProgress: { registration: 3 }, waitingForRequester: {}, done: { registration: 1 }, rejected: {} },
      total: 4,
      truncated: false,
    });
  });

  it('exports the queue as CSV (safe in a spreadsheet) or JSON, filtered', async () => {
    const csv = await care.call('GET', '/nas/api/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="nas-care-requests.csv"');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('reference,kind,queue,odsCode,status,summary,assignee,duplicateOf,createdAt,updatedAt,version');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(new RegExp(`^${refs[3]},registration,care,${orgs[3]},inProgress,"Rose Court Care Home \\(${orgs[3]}\\), 2 members",Ali Khan,`));
    const json = await care.call('GET', '/nas/api/export?format=json&status=done');
    expect(json.body.requests.map((r: { reference: string }) => r.reference)).toEqual([refs[2]]);
    expect((await care.call('GET', '/nas/api/export?format=xml')).body.error).toBe('"format" must be csv or json');
  });

  it('gives the dashboard for a period, refusing one that is not', async () => {
    const stats = await care.call('GET', '/nas/api/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.totals.registrationsStarted).toBe(1);
    expect(stats.body.funnel.map((f: { step: string }) => f.step)).toEqual(['started', 'members', 'finished']);
    expect((await care.call('GET', '/nas/api/stats?from=2025-02-01&to=2025-01-01')).body.error).toMatch(/before it starts/);
    expect((await care.call('GET', '/nas/api/stats?from=yesterday')).status).toBe(400);
  });

  it('shows a password reset with its facts in words, as well as its details', async () => {
    clock.advance(MINUTE);
    const made = await requests.submit({
      kind: 'passwordReset',
      queue: 'care',
      odsCode: 'VLH01',
      details: { account: { address: 'amy.pearce@nhs.net', name: 'Amy Pearce', odsCode: 'VLH01' }, mobile: '+447400000033', verification: { verifiedBy: 'mobile', at: clock.t } },
      idempotencyKey: 'reset-facts',
      requester: { conversationKey: 'c', conversationReference: null, channelId: 'webchat' },
    });
    if (made.outcome !== 'created') throw new Error(made.outcome);
    const shown = await care.call('GET', `/nas/api/requests/${made.request.reference}`);
    expect(shown.status).toBe(200);
    expect(shown.body.details).toMatchObject({ mobile: '+447400000033', verification: { verifiedBy: 'mobile' } });
    expect(shown.body.facts).toEqual([
      { term: 'Account', value: 'Amy Pearce (amy.pearce@nhs.net), ODS code VLH01' },
      { term: 'Temporary password to', value: '07400 000033 (text it there; never through the chat)' },
      { term: 'Checked', value: expect.stringMatching(/^by the code texted to the mobile on the account, typed back on \d{1,2} \w+ \d{4} at \d{1,2}(:\d\d)?[ap]m$/) },
    ]);
  });
});

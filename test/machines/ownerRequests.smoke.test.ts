import { startRequests, verifiedAs } from './ownerRequestsDriver';

it('smoke: a leaver reported by an owner verified by code', async () => {
  const flow = startRequests({}, { start: { kind: 'leaver' } });
  await flow.settle();
  expect(flow.state).toBe('verifying');
  await verifiedAs(flow, 'sarah.hollis@nhs.net');
  expect(flow.state).toBe('leaver.who');
  await flow.answer('leavers', ['Tom']);
  expect(flow.state).toBe('leaver.confirm');
  await flow.answer('confirmPeople', true);
  expect(flow.state).toBe('leaver.lastDay');
  await flow.answer('lastDay', '2026-11-30');
  await flow.answer('leaving', 'socialCare');
  expect(flow.state).toBe('review.summary');
  expect(flow.context.plan?.[0]?.details).toMatchObject({ warnings: { fewerThanTwoWithAccess: 1 } });
  await flow.answer('confirm', true);
  expect(flow.state).toBe('review.submitted');
});

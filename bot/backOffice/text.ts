import type { QueueCounts, Told } from './service';
import { DashboardStats, formatMinutes } from './stats';
import { kindName, RequestSummaryView, RequestView, STATUS_NAMES } from './views';

/** The back office as plain text, for `npm run nas`: lists, a request, the dashboard. */

const london = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/London', day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Rows as aligned columns (the last column is not padded). */
export function columns(rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 && !rightAligned.includes(i) ? cell : rightAligned.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function listText(requests: readonly RequestSummaryView[]): string {
  if (requests.length === 0) return 'No requests.';
  return columns([
    ['REFERENCE', 'KIND', 'STATUS', 'MADE', 'TAKEN BY', 'ABOUT'],
    ...requests.map((r) => [r.reference, r.kindName, r.statusName, london(r.createdAt), r.assignee ?? '-', r.summary]),
  ]);
}

/** A status as `npm run nas -- update REF STATUS` takes it. */
export const STATUS_WORD: Record<keyof typeof STATUS_NAMES, string> = {
  received: 'received',
  inProgress: 'in-progress',
  waitingForRequester: 'waiting',
  done: 'done',
  rejected: 'rejected',
};

export function requestText(request: RequestView): string {
  const lines = [
    `${request.reference}  ${request.kindName}, ${request.statusName} (version ${request.version})`,
    `About:        ${request.summary}`,
    `Queue:        ${request.queue}${request.odsCode ? `, ODS code ${request.odsCode}` : ''}`,
    `Made:         ${london(request.createdAt)}; last changed ${london(request.updatedAt)}`,
    `Taken by:     ${request.assignee ?? 'nobody yet'}`,
    `Raised in:    ${request.requester.channel}${request.requester.email ? ` (${request.requester.email})` : ''}`,
  ];
  if (request.duplicateOf) lines.push(`Duplicate of: ${request.duplicateOf}`);
  if (request.openQuestion) lines.push(`Waiting on:   ${request.openQuestion}`);
  lines.push(`May become:   ${request.allowedStatuses.length ? request.allowedStatuses.map((s) => STATUS_WORD[s]).join(', ') : 'nothing: it is finished'}`);
  const details = request.details as Record<string, any>;
  if (request.kind === 'registration' && details?.organisation) {
    const o = details.organisation;
    lines.push(
      '',
      `Organisation: ${o.name} (${o.kind === 'dental' ? 'dental practice' : 'care provider'}), ODS ${o.odsCode}, CQC location ${o.cqcLocationId}`,
      `Town:         ${details.town}; shared mailbox ${details.sharedMailboxAddress}`,
      `Verified by:  ${details.verifiedBy === 'otp' ? 'one-time passcode' : 'CQC contact ID'}`,
      '',
      columns([
        ['MEMBER', 'EMAIL', 'MOBILE', 'ROLE', 'FLAGS'],
        ...(details.members as Record<string, any>[]).map((m, i) => [
          `${i + 1}. ${[m.title, m.firstName, m.lastName].filter(Boolean).join(' ')}`,
          m.email,
          m.mobile,
          m.role,
          [m.owner && 'owner', m.sharedMailboxAccess && 'shared mailbox', m.mailboxAdmin && 'mailbox admin'].filter(Boolean).join(', ') || '-',
        ]),
      ]),
    );
  } else if (request.facts) {
    const width = Math.max(...request.facts.map((f) => f.term.length)) + 3;
    lines.push('', ...request.facts.map((f) => `${`${f.term}:`.padEnd(width)}${f.value}`));
  } else {
    lines.push('', JSON.stringify(request.details, null, 2));
  }
  lines.push(
    '',
    columns([
      ['WHEN', 'STATUS', 'BY', 'WHY'],
      ...request.history.map((h) => [
        london(h.at),
        h.statusName,
        h.by,
        [h.reason, h.question && `asked: ${h.question}`, h.answer && `answer: ${h.answer}`].filter(Boolean).join('; ') || '-',
      ]),
    ]),
  );
  return lines.join('\n');
}

export function toldText(told: Told): string {
  if (told.how === 'chat') return 'The requester has been told in the chat that raised it.';
  if (told.how === 'email') return `The requester's chat could not be reached, so they have been emailed${told.detail ? ` (${told.detail})` : ''}.`;
  return `The requester has not been told: ${told.detail}.`;
}

export function countsText(counts: QueueCounts): string {
  const kinds = [...new Set(Object.values(counts.byStatus).flatMap((row) => Object.keys(row)))].sort();
  const rows = Object.entries(counts.byStatus).map(([status, row]) => [
    STATUS_NAMES[status as keyof typeof STATUS_NAMES] ?? status,
    ...kinds.map((k) => String(row[k] ?? 0)),
    String(Object.values(row).reduce((a, b) => a + b, 0)),
  ]);
  const right = kinds.map((_, i) => i + 1).concat(kinds.length + 1);
  return `${columns([['STATUS', ...kinds.map(kindName), 'ALL'], ...rows], right)}${counts.truncated ? '\n(counted over the newest 5,000 requests)' : ''}`;
}

export function statsText(stats: DashboardStats): string {
  const t = stats.totals;
  const totals: [string, number][] = [
    ['Conversations started', t.conversationsStarted],
    ['Registrations started', t.registrationsStarted],
    ['Registrations finished', t.registrationsFinished],
    ['Passcodes requested (email / post)', t.passcodesRequested],
    ['Lock-outs', t.lockOuts],
    ['Password resets verified by mobile', t.resetsVerifiedByMobile],
    ['Password resets verified by an owner', t.resetsVerifiedByOwner],
    ['Questions answered', t.questionsAnswered],
    ['Messages not understood', t.questionsNotUnderstood],
    ['Handed to a person', t.handedToPerson],
    ['Requests made / done / rejected', t.requestsCreated],
  ];
  const values = totals.map(([label, n]) => {
    if (label.startsWith('Passcodes')) return [label, `${n} (${t.passcodesByEmail} / ${t.passcodesByPost})`];
    if (label.startsWith('Requests made')) return [label, `${t.requestsCreated} / ${t.requestsDone} / ${t.requestsRejected}`];
    return [label, String(n)];
  });
  const days = stats.requestsPerDay.filter((d) => d.total > 0);
  return [
    `How the assistant is doing, ${stats.from} to ${stats.to} (London dates)`,
    '',
    columns(values, [1]),
    '',
    'Registrations: how far they got',
    columns([['PART', 'REACHED', 'OF STARTED', 'STOPPED HERE'], ...stats.funnel.map((f) => [f.title, String(f.reached), `${f.percentOfStarted}%`, String(f.droppedHere)])], [1, 2, 3]),
    '',
    'Requests made each day, by kind (days with none left out)',
    days.length
      ? columns(
          [['DAY', ...stats.requestKinds.map(kindName), 'ALL'], ...days.map((d) => [d.day, ...stats.requestKinds.map((k) => String(d.byKind[k] ?? 0)), String(d.total)])],
          stats.requestKinds.map((_, i) => i + 1).concat(stats.requestKinds.length + 1),
        )
      : 'None.',
    '',
    'Time from request to done',
    columns([['KIND', 'DONE', 'MEDIAN'], ...stats.timeToDone.map((d) => [d.kind === 'all' ? 'all kinds' : kindName(d.kind), String(d.count), formatMinutes(d.medianMinutes)])], [1]),
    '',
    'Answers from the guides (was this helpful?)',
    stats.answers.length
      ? columns([['ANSWER', 'GIVEN', 'HELPFUL', 'NOT HELPFUL'], ...stats.answers.map((a) => [a.title ?? a.entry, String(a.answered), String(a.helpful), String(a.notHelpful)])], [1, 2, 3])
      : 'None.',
    '',
    'By channel',
    stats.byChannel.length
      ? columns(
          [['CHANNEL', 'CONVERSATIONS', 'REGISTRATIONS STARTED', 'FINISHED'], ...stats.byChannel.map((c) => [c.channel, String(c.conversationsStarted), String(c.registrationsStarted), String(c.registrationsFinished)])],
          [1, 2, 3],
        )
      : 'No conversations.',
  ].join('\n');
}

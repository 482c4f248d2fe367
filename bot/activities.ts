import { z } from 'zod';

/**
 * What an incoming activity must look like before the adapter or the engine sees it. Checked at
 * the edge so that a malformed one gets a 400 naming the field, instead of failing inside a turn.
 * Fields the assistant does not read pass through unchecked (channels add their own).
 */

/** Ids go into URLs and keys: printable ASCII only (no NUL, no control or unicode characters). */
const Id = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'is empty' })
  .max(512, { error: 'is longer than 512 characters' })
  .regex(/^[\x20-\x7e]+$/, { error: 'may hold only printable ASCII characters' });

const Text = (max: number) => z.string({ error: 'must be a string' }).max(max, { error: `is longer than ${max} characters` });

/** A user or bot: its id may be any text without control characters. */
const Account = z.looseObject(
  {
    id: Text(512)
      .min(1, { error: 'is empty' })
      .regex(/^[^\u0000-\u001f\u007f]+$/, { error: 'may not hold control characters' }),
    name: Text(512).optional(),
    role: Text(64).optional(),
    aadObjectId: Text(128).optional(),
  },
  { error: 'must be an object with an "id"' },
);

export const IncomingActivity = z.looseObject(
  {
    type: Text(64).min(1, { error: 'is empty' }),
    id: Id.optional(),
    channelId: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'must be a channel name (letters, digits, ".", "_", "-")' }),
    serviceUrl: z
      .string({ error: 'must be a string' })
      .max(2048, { error: 'is longer than 2048 characters' })
      .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), { error: 'must be an http or https URL' }),
    conversation: z.looseObject(
      {
        id: Id,
        conversationType: Text(64).optional(),
        tenantId: Text(128).optional(),
        isGroup: z.boolean({ error: 'must be true or false' }).optional(),
        name: Text(512).optional(),
      },
      { error: 'must be an object with an "id"' },
    ),
    from: Account,
    recipient: Account,
    text: Text(200_000).optional(),
    textFormat: Text(32).optional(),
    locale: Text(32).optional(),
    timestamp: Text(64).optional(),
    localTimestamp: Text(64).optional(),
    replyToId: Text(512).optional(),
    name: Text(256).optional(),
    membersAdded: z.array(Account, { error: 'must be a list of members' }).max(50, { error: 'holds more than 50 members' }).optional(),
    membersRemoved: z.array(Account, { error: 'must be a list of members' }).max(50, { error: 'holds more than 50 members' }).optional(),
    entities: z
      .array(z.looseObject({ type: Text(128) }, { error: 'must be an object with a "type"' }), { error: 'must be a list' })
      .max(50, { error: 'holds more than 50 entities' })
      .optional(),
    attachments: z
      .array(z.looseObject({ contentType: Text(256) }, { error: 'must be an object with a "contentType"' }), { error: 'must be a list' })
      .max(20, { error: 'holds more than 20 attachments' })
      .optional(),
  },
  { error: 'must be a JSON object (an activity)' },
);

export type IncomingActivity = z.infer<typeof IncomingActivity>;

/** Fields every activity needs: missing, they are named the way the rest of the API names them. */
const REQUIRED = new Set(['type', 'channelId', 'serviceUrl', 'conversation', 'conversation.id', 'from', 'from.id', 'recipient', 'recipient.id']);

function fieldName(path: PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`)).join('');
}

/** The activity, or a short reason naming the first field that is wrong. */
export function checkActivity(body: unknown): { activity: IncomingActivity } | { problem: string } {
  if (body === undefined || body === null || body === '') return { problem: 'the body is empty; send a JSON activity' };
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return { problem: 'the body must be a JSON object (an activity)' };
  const result = IncomingActivity.safeParse(body);
  if (result.success) return { activity: result.data };
  const issue = result.error.issues[0]!;
  const field = fieldName(issue.path);
  const value = issue.path.reduce<unknown>((node, part) => (node as Record<PropertyKey, unknown> | undefined)?.[part], body);
  if (REQUIRED.has(field) && (value === undefined || value === null || value === '')) {
    if (field === 'serviceUrl') return { problem: 'the activity has no valid "serviceUrl"' };
    // A missing conversation, sender or recipient is named by the id it lacks.
    const named = field === 'conversation' || field === 'from' || field === 'recipient' ? `${field}.id` : field;
    return { problem: `the activity has no "${named}"` };
  }
  if (field === 'serviceUrl') return { problem: `the activity has no valid "serviceUrl": it ${issue.message}` };
  if (field === 'conversation.id' && typeof value !== 'string') return { problem: 'the activity has no "conversation.id" (it must be a string)' };
  return { problem: `the activity's "${field}" ${issue.message}` };
}

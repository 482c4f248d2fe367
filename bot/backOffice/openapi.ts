import { NAS_QUEUES, NAS_REQUEST_KINDS, NAS_REQUEST_STATUSES } from '../../adapters/nasRequests';
import { SERVICE_EVENT_NAMES } from '../../adapters/serviceEvents';
import { API_BASE } from './api';

/**
 * The OpenAPI 3.1 document of the back office's API, served at /nas/api/openapi.json.
 * test/backOffice/api.test.ts checks that every route and every status code the API answers in
 * the tests is here, and that every JSON body it answers fits the schema documented for it.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const etag = { ETag: { description: "The request's version: send it back in If-Match to change its status.", schema: { type: 'string', example: '"3"' } } };

const unauthorised = error('No `Authorization: Bearer <token>`, or a token that is not one of `NAS_API_TOKENS`.');
const forbidden = error("The request (or queue) belongs to another queue than the token's.");
const unavailable = error('The request store cannot be reached (Redis is down); try again (see Retry-After).');
const badReference = error('The reference is not one (e.g. `REG-7KD9QX2P`).');

const referenceParameter = {
  name: 'reference',
  in: 'path',
  required: true,
  description: 'A NAS reference: a kind prefix, a dash and 8 characters, e.g. `REG-7KD9QX2P` (case ignored).',
  schema: { type: 'string', example: 'REG-7KD9QX2P' },
};

const filterParameters = [
  { name: 'status', in: 'query', description: `Comma-separated statuses: ${NAS_REQUEST_STATUSES.join(', ')}.`, schema: { type: 'string' } },
  { name: 'kind', in: 'query', description: `Comma-separated kinds: ${NAS_REQUEST_KINDS.join(', ')}.`, schema: { type: 'string' } },
  { name: 'org', in: 'query', description: 'An ODS code (case ignored).', schema: { type: 'string' } },
];

const statusEnum = { type: 'string', enum: [...NAS_REQUEST_STATUSES] };

const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: { type: 'string', description: 'What is wrong, in a sentence.' },
      problem: { type: 'string', enum: ['notAllowed', 'questionRequired', 'answerRequired', 'reasonRequired'] },
      allowed: { type: 'array', items: statusEnum, description: 'For a refused change: the statuses the request may move to.' },
      request: ref('RequestSummary'),
    },
  },
  RequestSummary: {
    type: 'object',
    required: ['reference', 'kind', 'kindName', 'queue', 'status', 'statusName', 'summary', 'createdAt', 'updatedAt', 'version'],
    properties: {
      reference: { type: 'string' },
      kind: { type: 'string', enum: [...NAS_REQUEST_KINDS] },
      kindName: { type: 'string' },
      queue: { type: 'string', enum: [...NAS_QUEUES] },
      odsCode: { type: 'string' },
      status: statusEnum,
      statusName: { type: 'string' },
      summary: { type: 'string' },
      assignee: { type: 'string', description: 'The NAS worker who last took it.' },
      duplicateOf: { type: 'string', description: 'Kept as a duplicate of this request (rejected).' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      version: { type: 'integer', minimum: 1 },
    },
  },
  HistoryEntry: {
    type: 'object',
    required: ['status', 'statusName', 'at', 'by'],
    properties: {
      status: statusEnum,
      statusName: { type: 'string' },
      at: { type: 'string', format: 'date-time' },
      by: { type: 'string' },
      reason: { type: 'string' },
      question: { type: 'string' },
      answer: { type: 'string' },
    },
  },
  Request: {
    allOf: [
      ref('RequestSummary'),
      {
        type: 'object',
        required: ['allowedStatuses', 'requester', 'details', 'history'],
        properties: {
          allowedStatuses: { type: 'array', items: statusEnum },
          openQuestion: { type: 'string' },
          requester: { type: 'object', required: ['channel'], properties: { channel: { type: 'string' }, email: { type: 'string' } } },
          details: { type: 'object', description: "The kind's details (a registration: organisation, town, shared mailbox address, members)." },
          facts: {
            type: 'array',
            description: 'What NAS needs from the details, in words, for kinds without a view of their own (a password reset: the account, the mobile for the temporary password, how the requester was checked).',
            items: { type: 'object', required: ['term', 'value'], properties: { term: { type: 'string' }, value: { type: 'string' } }, additionalProperties: false },
          },
          history: { type: 'array', items: ref('HistoryEntry'), minItems: 1 },
        },
      },
    ],
  },
  RequestPage: {
    type: 'object',
    required: ['requests'],
    properties: { requests: { type: 'array', items: ref('RequestSummary') }, nextCursor: { type: 'string' } },
  },
  StatusChange: {
    type: 'object',
    required: ['status', 'by'],
    properties: {
      status: statusEnum,
      by: { type: 'string', maxLength: 80, description: 'Who makes the change (kept in the history).' },
      reason: { type: 'string', maxLength: 2000, description: 'Required to reject; a note otherwise.' },
      question: { type: 'string', maxLength: 2000, description: 'Required for waitingForRequester: asked in the requester\'s chat.' },
      answer: { type: 'string', maxLength: 2000, description: "The requester's answer, when moving back to inProgress from waitingForRequester." },
    },
  },
  ChangeResult: {
    type: 'object',
    required: ['request', 'previous', 'told', 'welcomeMessages'],
    properties: {
      request: ref('Request'),
      previous: statusEnum,
      told: {
        type: 'object',
        required: ['how'],
        description: 'How the requester was told: in their chat, by email (the chat could not be reached), or not.',
        properties: { how: { type: 'string', enum: ['chat', 'email', 'notTold'] }, detail: { type: 'string' } },
      },
      welcomeMessages: { type: 'integer', description: 'Welcome emails and password texts recorded (a registration marked done).' },
    },
  },
  Counts: {
    type: 'object',
    required: ['queue', 'byStatus', 'total', 'truncated'],
    properties: {
      queue: { type: 'string', enum: [...NAS_QUEUES] },
      byStatus: {
        type: 'object',
        description: 'For each status, how many requests of each kind.',
        additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
      },
      total: { type: 'integer' },
      truncated: { type: 'boolean', description: 'Only the newest 5,000 requests were counted.' },
    },
  },
  Stats: {
    type: 'object',
    required: ['from', 'to', 'totals', 'byChannel', 'funnel', 'requestsPerDay', 'requestKinds', 'timeToDone', 'answers'],
    description: `Counted from service events (${SERVICE_EVENT_NAMES.join(', ')}) per London day.`,
    properties: {
      from: { type: 'string', format: 'date' },
      to: { type: 'string', format: 'date' },
      totals: { type: 'object', additionalProperties: { type: 'integer' } },
      byChannel: { type: 'array', items: { type: 'object', required: ['channel'], properties: { channel: { type: 'string' } }, additionalProperties: { type: ['string', 'integer'] } } },
      funnel: {
        type: 'array',
        items: {
          type: 'object',
          required: ['step', 'title', 'reached', 'percentOfStarted', 'droppedHere'],
          properties: { step: { type: 'string' }, title: { type: 'string' }, reached: { type: 'integer' }, percentOfStarted: { type: 'integer' }, droppedHere: { type: 'integer' } },
        },
      },
      requestsPerDay: {
        type: 'array',
        items: {
          type: 'object',
          required: ['day', 'total', 'byKind'],
          properties: { day: { type: 'string', format: 'date' }, total: { type: 'integer' }, byKind: { type: 'object', additionalProperties: { type: 'integer' } } },
        },
      },
      requestKinds: { type: 'array', items: { type: 'string' } },
      timeToDone: {
        type: 'array',
        items: {
          type: 'object',
          required: ['kind', 'count'],
          properties: { kind: { type: 'string' }, count: { type: 'integer' }, medianMinutes: { type: 'number' } },
        },
      },
      answers: {
        type: 'array',
        description: 'Answers from the guides per knowledge-base entry, most given first, with the "was this helpful?" answers.',
        items: {
          type: 'object',
          required: ['entry', 'answered', 'helpful', 'notHelpful'],
          properties: { entry: { type: 'string' }, title: { type: 'string' }, answered: { type: 'integer' }, helpful: { type: 'integer' }, notHelpful: { type: 'integer' } },
        },
      },
    },
  },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'NHSmail care assistant: NAS back office',
    version: '1.0.0',
    description:
      'The requests the assistant raised (registrations, password resets, leavers…), as the National Administration Service works them, and the dashboard of how the assistant is doing. Every change of status is told to the requester in the chat that raised it.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {
    [`${API_BASE}/requests`]: {
      get: {
        summary: "The token's queue, newest first, filtered and a page at a time",
        parameters: [
          ...filterParameters,
          { name: 'limit', in: 'query', description: 'At most this many (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
          { name: 'cursor', in: 'query', description: 'The `nextCursor` of the page before.', schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'A page of requests.', content: json(ref('RequestPage')) }, 400: error('An unknown status or kind, a bad limit or cursor.'), 401: unauthorised, 503: unavailable },
      },
    },
    [`${API_BASE}/requests/{reference}`]: {
      get: {
        summary: 'A request: its details and history',
        parameters: [referenceParameter],
        responses: {
          200: { description: 'The request.', headers: etag, content: json(ref('Request')) },
          400: badReference,
          401: unauthorised,
          403: forbidden,
          404: error('No request has this reference.'),
          503: unavailable,
        },
      },
    },
    [`${API_BASE}/requests/{reference}/status`]: {
      post: {
        summary: 'Change the status (the requester is told in their chat)',
        parameters: [
          referenceParameter,
          { name: 'If-Match', in: 'header', required: true, description: 'The ETag of the request as it was read.', schema: { type: 'string', example: '"3"' } },
        ],
        requestBody: { required: true, content: json(ref('StatusChange')) },
        responses: {
          200: { description: 'Changed.', headers: etag, content: json(ref('ChangeResult')) },
          400: error('A change the status machine refuses (`allowed` names where it may go), a missing question or reason, or a malformed body.'),
          401: unauthorised,
          403: forbidden,
          404: error('No request has this reference.'),
          409: { description: 'The request changed since it was read: read it again.', headers: etag, content: json(ref('Error')) },
          428: error('No If-Match.'),
          503: unavailable,
        },
      },
    },
    [`${API_BASE}/queues/{queue}/take`]: {
      post: {
        summary: 'Take the next request of the queue (one left unfinished for 10 minutes is offered again first)',
        parameters: [{ name: 'queue', in: 'path', required: true, schema: { type: 'string', enum: [...NAS_QUEUES] } }],
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['worker'], properties: { worker: { type: 'string', maxLength: 80 } } }),
        },
        responses: {
          200: { description: 'The request, now in progress and assigned to the worker.', headers: etag, content: json(ref('Request')) },
          204: { description: 'Nothing is waiting.' },
          400: error('No worker named.'),
          401: unauthorised,
          403: forbidden,
          404: error('No such queue.'),
          503: unavailable,
        },
      },
    },
    [`${API_BASE}/counts`]: {
      get: {
        summary: "How many requests of each kind are in each status, in the token's queue",
        responses: { 200: { description: 'The counts.', content: json(ref('Counts')) }, 401: unauthorised, 503: unavailable },
      },
    },
    [`${API_BASE}/export`]: {
      get: {
        summary: "Every request of the token's queue that matches, as CSV or JSON",
        parameters: [...filterParameters, { name: 'format', in: 'query', schema: { type: 'string', enum: ['csv', 'json'], default: 'json' } }],
        responses: {
          200: {
            description: 'The requests (a download).',
            content: {
              ...json({ type: 'object', required: ['requests'], properties: { requests: { type: 'array', items: ref('RequestSummary') } } }),
              'text/csv': { schema: { type: 'string' } },
            },
          },
          400: error('An unknown format, status or kind.'),
          401: unauthorised,
          503: unavailable,
        },
      },
    },
    [`${API_BASE}/stats`]: {
      get: {
        summary: 'The dashboard: the registration funnel, requests per day by kind, time to done and more',
        parameters: [
          { name: 'from', in: 'query', description: 'First London date (default 29 days before `to`).', schema: { type: 'string', format: 'date' } },
          { name: 'to', in: 'query', description: 'Last London date (default today).', schema: { type: 'string', format: 'date' } },
        ],
        responses: { 200: { description: 'The figures.', content: json(ref('Stats')) }, 400: error('Not dates, the wrong way round, or more than 400 days.'), 401: unauthorised, 503: unavailable },
      },
    },
    [`${API_BASE}/openapi.json`]: {
      get: { summary: 'This document', security: [], responses: { 200: { description: 'The OpenAPI document.', content: json({ type: 'object' }) } } },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token of `NAS_API_TOKENS` (one per queue).' } },
    schemas,
  },
} as const;

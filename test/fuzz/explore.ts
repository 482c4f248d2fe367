import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Reply } from '../../dialogs/types';
import { FLOWS, type Flow } from '../../bot/flows';
import { REPO_ROOT } from '../helpers/bot';
import { ROUTES, type Route } from './routes';
import { Conversation, promptStates, Said, State, tagsByState, Turn, World } from './world';

/**
 * Finds a way to every state a user can rest in, for every flow in bot/flows/index.ts, by using
 * the assistant as a tester would: from the greeting, try every button offered, the words that
 * move around a conversation ("back", "menu", "start again"…), and where nothing is offered a
 * bank of answers made from the shipped fixture organisations and accounts; type the codes the
 * service puts in its outbox, in the same conversation or (as the person a message went to) in a
 * new one; come back a day or three weeks later. Each try runs on a copy of the conversation (its
 * stored state copied under a new id). Known routes (test/fuzz/routes.ts) are walked first.
 *
 * The result is a map of states, each with the steps that reach it from new conversations and the
 * step that brings it nearer a finished flow (a state tagged `done`), for the campaign's "the
 * conversation still completes" check. A flow added to the list is explored with no change here;
 * states no try reaches are reported.
 */

/**
 * One thing a user does: say a text (or a button's label), submit a card, or type a code the
 * service put in the outbox during the path (`line`: the whole line of the message holding it, e.g.
 * "vouch 7KD9-QX2P-M4TN").
 */
export type Step = ({ say: string } | { code: number; line?: boolean } | { value: Record<string, unknown> }) & {
  /** The user comes back this long after their last turn (each conversation's clock moves alone). */
  after?: number;
  /**
   * The conversation of the path it is done in (0, the first, by default). A new number is a new
   * conversation: someone else's, who has the messages the service sent so far (an owner asked
   * to vouch). The path goes on there until a step names another.
   */
  in?: number;
};

/** Waits tried where a conversation rests: a day (codes and requests that lapse), three weeks (a passcode's validity). */
const WAITS = [25 * 60 * 60 * 1000, 22 * 24 * 60 * 60 * 1000];

export interface Node {
  /** The state's name and the shape of its context (State.shape). */
  signature: string;
  state: State;
  /** From new conversations: each starts, then these steps. */
  path: Step[];
  /** The conversation of the path the node is in. */
  at: number;
  /** The last turn's replies. */
  replies: Reply[];
  /** The flow is finished here. */
  done: boolean;
  /** 0 for the first conversation found in this state; more for others (other shapes). */
  variant: number;
  /** Steps to other kept states. */
  edges: { step: Step; to: string }[];
  /** The step towards `done` (computed after exploring), and how many steps remain. */
  next?: Step;
  distance?: number;
  /** Only someone else can move the conversation on from here (see distancesToDone). */
  rests?: boolean;
}

export interface Exploration {
  nodes: Map<string, Node>;
  /** Every resting state of every flow, and whether it was reached. */
  states: { flowId: string; flowPath: string; tags: string[]; reached: boolean }[];
  turns: number;
  ms: number;
}

/** Words that move around a conversation, tried in every state. */
export const NAVIGATION = ['help', 'back', 'menu', 'carry on', 'start again', 'cancel', 'yes', 'no', 'done'];

/** Of the navigation words, those that leave or restart a flow (so returning to the menu after them is not finishing it). */
const LEAVING = new Set(['menu', 'cancel', 'start again']);

interface FixtureOrganisation {
  odsCode: string;
  cqcLocationId?: string;
  cqcContactId?: string;
  registeredManagerEmail?: string;
  address: { town: string; postcode: string };
}

/**
 * Answers a tester would type where nothing is offered: the fixture organisations and accounts,
 * people's details. In groups: the values of one organisation belong together (a conversation that
 * holds one of them is tried with the others).
 */
export function answerBank(): { all: string[]; groups: string[][] } {
  const organisations = JSON.parse(readFileSync(path.join(REPO_ROOT, 'adapters', 'data', 'organisations.json'), 'utf8')) as {
    fixtures: string[];
    organisations: FixtureOrganisation[];
  };
  const accounts = JSON.parse(readFileSync(path.join(REPO_ROOT, 'adapters', 'data', 'accounts.json'), 'utf8')) as { fixtures: string[] };
  const fixtures = organisations.fixtures.map((ods) => organisations.organisations.find((o) => o.odsCode === ods)).filter((o): o is FixtureOrganisation => !!o);
  // Every fixture's postcode and ODS code (each takes a route of its own); the rest only for those that can register.
  const registering = new Set(['CPODS2', 'VAHC1', 'DODSA1', 'DODSB1', 'VST01']);
  const groups = fixtures.map((o) =>
    [o.address.postcode, o.odsCode, ...(registering.has(o.odsCode) ? [o.cqcLocationId, o.cqcContactId, o.registeredManagerEmail, o.address.town] : [])].filter(
      (v): v is string => !!v,
    ),
  );
  const people = [
    ['Mrs', 'Alex', 'Morgan', 'alex.morgan@example.co.uk', '07400 050001', 'Registered Manager'],
    ['Mr', 'Sam', 'Jones', 'sam.jones@example.com', '07400 050002', 'Nurse'],
  ];
  const words = ['continue', 'add another', 'confirm and finish', 'skip', 'none', '1', '2', '3', "I don't know"];
  // A few accounts of each kind (the routes use the others): owners, a member, a leaver, hosted locally, no mobile.
  const someAccounts = accounts.fixtures.filter((a) => /^(sarah\.hollis|tom\.okafor|priya\.raman|amy\.pearce|joseph\.achebe|kwame\.oyelaran|david\.price|ruth\.barnes|marcus\.ashworth|dawn\.fenwick|hannah\.marsh)@/.test(a));
  const all = [...new Set([...groups.flat(), ...someAccounts, ...people.flat(), ...words])].filter((say) => !NAVIGATION.includes(say));
  return { all, groups: [...groups, ...people] };
}

/** A code in a message: groups of 4 to 8 capitals and digits, split by a dash or a space. */
const CODE = /(?<![\w-])[A-Z0-9]{4,8}(?:[- ][A-Z0-9]{4,8}){0,3}(?![\w-])/g;

/** Codes in the outbox messages a conversation's path caused (passcodes, reset and vouching codes), newest first, each with its line. */
export function outboxCodes(conversation: Conversation, messages = 3): { code: string; line: string }[] {
  const codes: { code: string; line: string }[] = [];
  for (const message of conversation.sent.slice(0, messages)) {
    for (const line of message.body.split('\n')) {
      for (const found of line.match(CODE) ?? []) {
        const bare = found.replace(/[- ]/g, '');
        // Six digits (a reset code), or capitals with or without digits (a passcode, a vouching
        // code: either may happen to have no digit); not a mobile number.
        const looksLikeCode = /^\d{6}$/.test(bare) || (/[A-Z]/.test(bare) && bare.length >= 6);
        if (looksLikeCode && bare.length <= 16 && !codes.some((c) => c.code === found)) codes.push({ code: found, line: line.trim() });
      }
    }
  }
  // The longest first: a vouching code or a passcode rather than an ODS code mentioned beside it.
  return codes.sort((a, b) => b.code.replace(/[- ]/g, '').length - a.code.replace(/[- ]/g, '').length);
}

/** What a step sends in `conversation`, now (a code is read from what the path put in the outbox). */
export function said(conversation: Conversation, step: Step): Said | undefined {
  if ('say' in step) return { text: step.say };
  if ('value' in step) return { value: step.value };
  const found = outboxCodes(conversation)[step.code];
  return found === undefined ? undefined : { text: step.line ? found.line : found.code };
}

export function describeStep(step: Step): string {
  const before = `${step.in ? `[conversation ${step.in + 1}] ` : ''}${step.after ? `${step.after < 3_600_000 ? `${Math.round(step.after / 60_000)} minutes` : `${Math.round(step.after / 3_600_000)} hours`} later: ` : ''}`;
  if ('say' in step) return `${before}${JSON.stringify(step.say)}`;
  if ('value' in step) return `${before}card ${JSON.stringify(step.value)}`;
  return `${before}the ${step.line ? 'line with the ' : ''}code in the outbox (#${step.code + 1})`;
}

/** The buttons of a turn's replies (the last with buttons). */
export function choicesOf(replies: Reply[]): string[] {
  const withChoices = replies.filter((r) => r.choices?.length);
  return withChoices[withChoices.length - 1]?.choices ?? [];
}

/**
 * A path being walked: its conversations (made as steps name them), the one in use. A new
 * conversation starts with what the one in use had sent, on the same clock.
 */
export class Walk {
  readonly conversations: Conversation[] = [];
  current = 0;

  constructor(
    readonly world: World,
    readonly channelId: Conversation['channelId'] = 'emulator',
  ) {}

  get conversation(): Conversation {
    return this.conversations[this.current]!;
  }

  /** Starts the first conversation (the user opens the chat). */
  async start(): Promise<Turn> {
    this.conversations.push(this.world.conversation(this.channelId, 'walk'));
    return this.world.turn(this.conversations[0]!, { kind: 'conversationStart' });
  }

  /** Does a step (undefined: its code is not in the outbox). */
  async step(step: Step): Promise<Turn | undefined> {
    const index = step.in ?? 0;
    if (!this.conversations[index]) {
      const other = this.world.conversation(this.channelId, 'walk');
      other.now = this.conversation.now;
      other.sent = [...this.conversation.sent];
      this.conversations[index] = other;
      await this.world.turn(other, { kind: 'conversationStart' });
    }
    this.current = index;
    const input = said(this.conversation, step);
    if (!input) return undefined;
    if (step.after) this.conversation.now += step.after;
    return this.world.turn(this.conversation, input);
  }

  /** Walks `steps` from the start; the turns, or undefined from a step that could not be done. */
  async walk(steps: readonly Step[]): Promise<(Turn | undefined)[]> {
    const turns: (Turn | undefined)[] = [await this.start()];
    for (const step of steps) {
      const turn = await this.step(step);
      turns.push(turn);
      if (!turn) break;
    }
    return turns;
  }
}

function signatureOf(state: State): string {
  return `${state.name}|${state.shape}`;
}

export interface ExploreOptions {
  flows?: readonly Flow[];
  /** Shapes of one state kept (the same question with other answers behind it: member 2 of 10, Route B). */
  variants?: number;
  /** A bound on the whole exploration, in turns. */
  maxTurns?: number;
  /** Routes walked first (default: test/fuzz/routes.ts). */
  routes?: readonly Route[];
}

export async function explore(options: ExploreOptions = {}): Promise<Exploration> {
  const flows = options.flows ?? FLOWS;
  const variants = options.variants ?? 8;
  const maxTurns = options.maxTurns ?? 10_000;
  const tags = tagsByState(flows);
  const bank = answerBank();
  const world = new World();
  const started = Date.now();
  const nodes = new Map<string, Node>();
  const perState = new Map<string, number>();
  const probesOf = new Map<string, number>();
  /** Typed answers that moved a state on, by state: tried on its other shapes. */
  const productive = new Map<string, string[]>();
  let turns = 0;

  const isDone = (state: State, step: Step | undefined, from: State | undefined) =>
    (state.flowId !== undefined && !!tags.get(`${state.flowId}:${state.flowPath}`)?.includes('done')) ||
    // A flow that reached its final state hands back to the menu.
    (state.root === 'menu' && !!from?.root.endsWith(':active') && !(step && 'say' in step && LEAVING.has(step.say)));

  /**
   * Conversations to branch from, in tiers: a state not seen before (0: branched with everything),
   * another shape of a known state (1), a state and shape already kept but reached by another
   * answer (2: the same question about another organisation or account may lead elsewhere). Tiers 1
   * and 2 are branched with the buttons, the answers that moved that state on, the bank's answers
   * that belong with what the conversation holds, and codes.
   */
  interface Probe {
    tier: number;
    node: Node;
    conversation: Conversation;
    /** How many conversations the path has. */
    count: number;
  }
  const queue: Probe[][] = [[], [], []];

  const reach = (turn: Turn, node: Omit<Node, 'signature' | 'state' | 'replies' | 'done' | 'variant' | 'edges'>, probe: Omit<Probe, 'tier' | 'node'>, step?: Step, from?: State, moving = false, fromTier = 0) => {
    const signature = signatureOf(turn.state);
    const known = nodes.get(signature);
    const count = perState.get(turn.state.name) ?? 0;
    const made: Node = { ...node, signature, state: turn.state, replies: turn.replies, done: isDone(turn.state, step, from), variant: count, edges: [] };
    // Moving about ("back", "menu") finds states; other shapes and other ways come from answers.
    if (!known && count < variants && !(moving && count > 0)) {
      perState.set(turn.state.name, count + 1);
      nodes.set(signature, made);
      if (!made.done) queue[count === 0 ? 0 : 1]!.push({ tier: count === 0 ? 0 : 1, node: made, ...probe });
      return made;
    }
    const probes = probesOf.get(signature) ?? 0;
    if (!made.done && !moving && fromTier < 2 && probes < 30 && turn.state.name !== from?.name) {
      probesOf.set(signature, probes + 1);
      queue[2]!.push({ tier: 2, node: made, ...probe });
    }
    return known ?? [...nodes.values()].find((n) => n.state.name === turn.state.name);
  };

  // The greeting, then the known routes: every state along them is a place to branch from.
  const opening = new Walk(world);
  reach(await opening.start(), { path: [], at: 0 }, { conversation: await world.fork(opening.conversation), count: 1 });
  turns++;
  for (const route of options.routes ?? ROUTES) {
    const walk = new Walk(world);
    let before = (await walk.start()).state;
    turns++;
    for (let i = 0; i < route.steps.length; i++) {
      const turn = await walk.step(route.steps[i]!);
      turns++;
      if (!turn || turn.outcome !== 'ok') break;
      // Branch from a copy: the route goes on in this conversation.
      const probe = { conversation: await world.fork(walk.conversation, 'explore'), count: walk.conversations.length };
      reach(turn, { path: route.steps.slice(0, i + 1), at: walk.current }, probe, route.steps[i], before);
      before = turn.state;
    }
  }

  for (let probe = queue.find((q) => q.length)?.shift(); probe && turns < maxTurns; probe = queue.find((q) => q.length)?.shift()) {
    const { tier, node, conversation: from, count } = probe;
    const kept = nodes.get(node.signature) === node ? node : undefined;
    const here = (step: Step): Step => (node.at ? { ...step, in: node.at } : step);
    const offered = choicesOf(node.replies);
    const lower = offered.map((o) => o.toLowerCase());
    const codes = outboxCodes(from).flatMap((c, i): Step[] => [{ code: i }, ...(c.line !== c.code ? [{ code: i, line: true }] : [])]);
    let typed: string[] = [];
    if (offered.length === 0 && tier === 0) typed = bank.all;
    else if (offered.length === 0) {
      const holds = ((await world.stored(from)) ?? '').toLowerCase();
      const related = bank.groups.filter((group) => group.some((value) => value.length > 3 && holds.includes(value.toLowerCase()))).flat();
      typed = [...related, ...(productive.get(node.state.name) ?? [])];
    }
    const moving = tier === 0 ? NAVIGATION.filter((say) => !lower.includes(say)) : [];
    const steps: Step[] = [
      ...[...offered, ...moving, ...typed].map((say) => here({ say })),
      ...codes.map(here),
      // The person a message went to, acting on it in a conversation of their own.
      ...(tier === 0 ? codes.map((step) => ({ ...step, in: count })) : []),
      ...(tier === 0 ? WAITS.flatMap((after) => [...codes, { say: 'hello' }].map((step) => here({ ...step, after }))) : []),
    ];
    for (const step of unique(steps)) {
      if (turns >= maxTurns) break;
      const input = said(from, step);
      if (!input) continue;
      let branch: Conversation;
      if ((step.in ?? 0) !== node.at) {
        branch = world.conversation(from.channelId, 'explore');
        branch.now = from.now;
        branch.sent = [...from.sent];
        await world.turn(branch, { kind: 'conversationStart' });
        turns++;
      } else branch = await world.fork(from, 'explore');
      if (step.after) branch.now += step.after;
      const turn = await world.turn(branch, input);
      turns++;
      if (turn.outcome !== 'ok') continue;
      if (turn.state.name !== node.state.name && 'say' in step && !step.after && (step.in ?? 0) === node.at) {
        // A few are enough (a name question takes any name).
        const list = productive.get(node.state.name) ?? [];
        if (list.length < 4 && !list.includes(step.say)) productive.set(node.state.name, [...list, step.say]);
      }
      const isMove = 'say' in step && moving.includes(step.say);
      const probeOf = { conversation: branch, count: Math.max(count, (step.in ?? 0) + 1) };
      const child = reach(turn, { path: [...node.path, step], at: step.in ?? 0 }, probeOf, step, node.state, isMove, tier);
      if (kept && child && child !== kept && !kept.edges.some((e) => e.to === child.signature)) kept.edges.push({ step, to: child.signature });
    }
  }
  await world.close();
  distancesToDone(nodes, tags);
  const reached = new Set([...nodes.values()].map((n) => `${n.state.flowId}:${n.state.flowPath}`));
  const states = promptStates(flows).map((s) => ({ ...s, reached: reached.has(`${s.flowId}:${s.flowPath}`) }));
  return { nodes, states, turns, ms: Date.now() - started };
}

function unique(steps: Step[]): Step[] {
  const seen = new Set<string>();
  return steps.filter((step) => {
    const key = JSON.stringify(step);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * For every node, the step that goes nearest a finished flow (shortest path over the edges found).
 * A state the user can only wait in (tagged `waiting`) with no way on of their own (an owner has
 * to answer) counts as far as they can take it.
 */
function distancesToDone(nodes: Map<string, Node>, tags: Map<string, string[]>): void {
  const into = new Map<string, { from: Node; step: Step }[]>();
  for (const node of nodes.values()) {
    for (const edge of node.edges) {
      // Only steps in the node's own conversation: a completion is done by its user.
      if ((edge.step.in ?? 0) !== node.at) continue;
      if (!into.has(edge.to)) into.set(edge.to, []);
      into.get(edge.to)!.push({ from: node, step: edge.step });
    }
  }
  const spread = (queue: Node[]) => {
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const { from, step } of into.get(node.signature) ?? []) {
        if (from.distance !== undefined) continue;
        from.distance = node.distance! + 1;
        from.next = step;
        queue.push(from);
      }
    }
  };
  const done = [...nodes.values()].filter((n) => n.done);
  for (const node of done) node.distance = 0;
  spread(done);
  const waiting = [...nodes.values()].filter((n) => n.distance === undefined && tags.get(`${n.state.flowId}:${n.state.flowPath}`)?.includes('waiting'));
  for (const node of waiting) {
    node.distance = 0;
    node.rests = true;
  }
  spread(waiting);
}

import { Activity, ActivityTypes, BotAdapter, ConversationReference, ResourceResponse, TurnContext } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import * as readline from 'node:readline';
import { redisTopology } from '../adapters/redis';
import { createAssistant } from './app';
import { loadConfigOrExit, outboxFile } from './config';
import { createLogger } from './logger';

/**
 * The assistant's markdown as a terminal shows it: bold and code marks dropped, escaped
 * characters shown as themselves.
 */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\\([\\`*_[\]~<>|#+\-.!()])/g, '$1');
}

/**
 * `npm run chat`: the same bot, machines and store in a terminal. Buttons are shown as a
 * numbered list; type the number or the label.
 */
export class ConsoleAdapter extends BotAdapter {
  private lastChoices: string[] = [];

  constructor(
    private readonly write: (line: string) => void,
    private readonly conversationId: string,
  ) {
    super();
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    for (const activity of activities) {
      if (activity.type !== ActivityTypes.Message) continue;
      this.write(`\nassistant> ${plainText(activity.text ?? '')}`);
      const choices = (activity.suggestedActions?.actions ?? []).map((action) => String(action.title ?? action.value));
      if (choices.length) {
        this.lastChoices = choices;
        choices.forEach((choice, index) => this.write(`   ${index + 1}. ${choice}`));
      }
    }
    return activities.map(() => ({ id: randomUUID() }));
  }

  async updateActivity(): Promise<void> {
    throw new Error('the terminal chat cannot change a message once shown');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('the terminal chat cannot delete a message once shown');
  }

  async continueConversation(_reference: Partial<ConversationReference>, _logic: (context: TurnContext) => Promise<void>): Promise<void> {
    throw new Error('the terminal chat has no proactive messages');
  }

  /** One turn for what the user typed; a bare number picks from the last buttons shown. */
  async receive(text: string, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const index = /^\s*(\d{1,2})\s*$/.exec(text);
    const picked = index ? this.lastChoices[Number(index[1]) - 1] : undefined;
    await this.run({ type: ActivityTypes.Message, text: picked ?? text }, logic);
  }

  async start(logic: (context: TurnContext) => Promise<void>): Promise<void> {
    // Each start of the terminal chat opens the conversation again: one under way says where it stands.
    await this.run({ type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'user', name: 'You' }], channelData: { reopened: true } }, logic);
  }

  private async run(partial: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = {
      ...partial,
      id: randomUUID(),
      channelId: 'terminal',
      serviceUrl: 'terminal://local',
      conversation: { id: this.conversationId, isGroup: false, conversationType: 'personal', name: 'terminal' },
      from: { id: 'user', name: 'You' },
      recipient: { id: 'assistant', name: 'NHSmail care assistant' },
      timestamp: new Date(),
    } as Activity;
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit({ LOG_LEVEL: 'silent', ...process.env });
  // Logs go to stderr so they never mix with the conversation.
  const logger = createLogger(config.LOG_LEVEL, process.stderr);
  const assistant = createAssistant(config, logger, Date.now, { outboxJournal: outboxFile(config) });
  await assistant.ready().catch(() => process.stderr.write('The state store (Redis) is not reachable yet; retrying.\n'));
  const conversationId = config.CHAT_CONVERSATION_ID ?? `terminal-${userInfo().username}`;
  const adapter = new ConsoleAdapter((line) => process.stdout.write(`${line}\n`), conversationId);
  const logic = (context: TurnContext) => assistant.bot.run(context);

  process.stdout.write(`NHSmail care assistant (terminal chat; state: ${redisTopology(config) ? 'Redis' : 'memory'}). Ctrl+D to leave.\n`);
  await adapter.start(logic);
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '\nyou> ', terminal: process.stdin.isTTY });
  const prompt = () => (process.stdin.isTTY ? rl.prompt() : undefined);
  prompt();
  // Lines are handled strictly one after another, as a channel delivers them.
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    queue = queue.then(async () => {
      if (!process.stdin.isTTY) process.stdout.write(`\nyou> ${line}\n`);
      await adapter.receive(line, logic);
      prompt();
    });
  });
  rl.on('close', () => {
    void queue.then(async () => {
      await assistant.close();
      process.stdout.write('\n');
      process.exit(0);
    });
  });
}

if (require.main === module) void main();

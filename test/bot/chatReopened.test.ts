import { ConsoleAdapter } from '../../bot/chat';
import { createAssistant } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import { UNLIMITED } from '../helpers/bot';

/** The terminal chat started again on a conversation under way says where it stands (it used to say nothing). */
describe('the terminal chat opened again', () => {
  it('names the organisation, what is done and what is left, and asks the question it waits on', async () => {
    const assistant = createAssistant(loadConfig(UNLIMITED), createLogger('silent'));
    const logic = (context: Parameters<typeof assistant.bot.run>[0]) => assistant.bot.run(context);
    const first: string[] = [];
    const chat = new ConsoleAdapter((line) => first.push(line), 'terminal-reopened');
    await chat.start(logic);
    for (const text of ['register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue', 'LS6 1BN', 'CPODS2']) await chat.receive(text, logic);
    const again: string[] = [];
    await new ConsoleAdapter((line) => again.push(line), 'terminal-reopened').start(logic);
    const said = again.join('\n');
    expect(said).toMatch(/Welcome back\. You are registering Amazing Carehomes \(ODS code CPODS2\) for NHSmail\./);
    expect(said).toMatch(/Done: the checks before you start; organisation details \(Amazing Carehomes\)\./);
    expect(said).toMatch(/What is your CQC location ID\?/);
    // A new conversation is greeted as before.
    const fresh: string[] = [];
    await new ConsoleAdapter((line) => fresh.push(line), 'terminal-new').start(logic);
    expect(fresh.join('\n')).toMatch(/Hello, I'm the NHSmail care assistant/);
    await assistant.close();
  });
});

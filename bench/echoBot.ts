import { ActivityHandler, MessageFactory } from 'botbuilder';
import { serveReferenceBot } from './baselineServer';
import { ECHO_GREETING, echoText } from './echoReplies';

/**
 * The benchmark's floor: a bare Bot Framework echo bot on the assistant's own HTTP stack
 * (bench/baselineServer.ts), with no dialog and no state. One reply per turn: "You said: <text>",
 * or a greeting when a user joins.
 *
 *   PORT=3979 LOG_LEVEL=warn node dist/bench/echoBot.js
 *
 * Started by bench/run.ts as a child process; not part of the product.
 */

export class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.text(echoText(context.activity.text ?? '')));
      await next();
    });
    // The assistant greets on conversationUpdate; so does the echo bot, so both answer every turn.
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const humans = (context.activity.membersAdded ?? []).filter((member) => member.id !== botId);
      if (humans.length > 0) await context.sendActivity(MessageFactory.text(ECHO_GREETING));
      await next();
    });
  }
}

if (require.main === module) serveReferenceBot(new EchoBot(), 'echo bot');

import { ActivityHandler, ConversationState, MemoryStorage, StatePropertyAccessor, TurnContext, UserState } from 'botbuilder';
import {
  ChoiceFactory,
  ChoicePrompt,
  ComponentDialog,
  ConfirmPrompt,
  DialogSet,
  DialogState,
  DialogTurnStatus,
  NumberPrompt,
  PromptValidatorContext,
  TextPrompt,
  WaterfallDialog,
  WaterfallStepContext,
} from 'botbuilder-dialogs';
import { serveReferenceBot } from './baselineServer';
import { WATERFALL } from './waterfallReplies';

/**
 * The bot a team would copy: the shape of BotBuilder-Samples' "multi-turn prompt" (05), rebuilt
 * here from its published design for the benchmark. A ComponentDialog runs one waterfall —
 * a choice prompt (how the user travels), a text prompt (name), a confirm prompt (give an age?),
 * a number prompt with a validator (0 < age < 150, or skipped), a confirm prompt (keep it?), a
 * summary — over ConversationState and UserState in botbuilder's MemoryStorage; the bot saves
 * both after every turn. It also greets a user who joins, as the other bots do, so that every
 * turn of the benchmark's conversations is answered. Served on the assistant's HTTP stack
 * (bench/baselineServer.ts).
 *
 *   PORT=3980 LOG_LEVEL=warn node dist/bench/waterfallBot.js
 */

interface Profile {
  transport?: string;
  name?: string;
  age?: number;
}

const CHOICE = 'choice';
const CONFIRM = 'confirm';
const TEXT = 'text';
const NUMBER = 'number';
const STEPS = 'profileSteps';

class ProfileDialog extends ComponentDialog {
  private readonly profile: StatePropertyAccessor<Profile>;

  constructor(userState: UserState) {
    super('profileDialog');
    this.profile = userState.createProperty<Profile>('profile');
    this.addDialog(new ChoicePrompt(CHOICE));
    this.addDialog(new TextPrompt(TEXT));
    this.addDialog(new ConfirmPrompt(CONFIRM));
    this.addDialog(new NumberPrompt(NUMBER, async (prompt: PromptValidatorContext<number>) => prompt.recognized.succeeded && prompt.recognized.value! > 0 && prompt.recognized.value! < 150));
    this.addDialog(
      new WaterfallDialog<Profile>(STEPS, [
        async (step) => step.prompt(CHOICE, { prompt: WATERFALL.transport, choices: ChoiceFactory.toChoices(['Car', 'Bus', 'Bicycle']) }),
        async (step) => {
          step.options.transport = (step.result as { value: string }).value;
          return step.prompt(TEXT, WATERFALL.name);
        },
        async (step) => {
          step.options.name = String(step.result);
          await step.context.sendActivity(WATERFALL.thanks(step.options.name));
          return step.prompt(CONFIRM, WATERFALL.askAge, ['yes', 'no']);
        },
        async (step) => (step.result === true ? step.prompt(NUMBER, { prompt: WATERFALL.age, retryPrompt: WATERFALL.ageRetry }) : step.next(-1)),
        async (step: WaterfallStepContext<Profile>) => {
          step.options.age = Number(step.result);
          await step.context.sendActivity(step.options.age === -1 ? WATERFALL.noAge : WATERFALL.ageIs(step.options.age));
          return step.prompt(CONFIRM, { prompt: WATERFALL.confirm });
        },
        async (step: WaterfallStepContext<Profile>) => {
          if (step.result) {
            const kept = await this.profile.get(step.context, {});
            Object.assign(kept, step.options);
            await step.context.sendActivity(WATERFALL.summary(kept.transport!, kept.name!, kept.age!));
          } else {
            await step.context.sendActivity(WATERFALL.notKept);
          }
          return step.endDialog();
        },
      ]),
    );
    this.initialDialogId = STEPS;
  }

  /** Continues the dialog in progress, or begins it. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogs = new DialogSet(accessor);
    dialogs.add(this);
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }
}

export class WaterfallBot extends ActivityHandler {
  constructor(conversationState: ConversationState, userState: UserState) {
    super();
    const dialog = new ProfileDialog(userState);
    const dialogState = conversationState.createProperty<DialogState>('DialogState');
    this.onMessage(async (context, next) => {
      await dialog.run(context, dialogState);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      if ((context.activity.membersAdded ?? []).some((member) => member.id !== botId)) await context.sendActivity(WATERFALL.greeting);
      await next();
    });
    // After every turn, as the sample does: save what the dialog changed.
    this.onDialog(async (context, next) => {
      await conversationState.saveChanges(context, false);
      await userState.saveChanges(context, false);
      await next();
    });
  }
}

if (require.main === module) {
  const storage = new MemoryStorage();
  serveReferenceBot(new WaterfallBot(new ConversationState(storage), new UserState(storage)), 'waterfall bot');
}

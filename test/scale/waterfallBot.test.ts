import { ConversationState, MemoryStorage, TestAdapter, UserState } from 'botbuilder';
import { WaterfallBot } from '../../bench/waterfallBot';
import { WATERFALL, WATERFALL_SCRIPT } from '../../bench/waterfallReplies';

/** The benchmark's waterfall bot (the "multi-turn prompt" sample's shape) says what the load generator expects. */
describe('the benchmark waterfall bot', () => {
  const newAdapter = () => {
    const storage = new MemoryStorage();
    const bot = new WaterfallBot(new ConversationState(storage), new UserState(storage));
    return new TestAdapter(async (context) => bot.run(context));
  };

  it('walks the whole profile, one prompt per turn, with the benchmark script', async () => {
    const [hi, bus, alex, yes, age, keep, again] = WATERFALL_SCRIPT;
    await newAdapter()
      .send(hi)
      .assertReply((reply) => expect(reply.text).toMatch(new RegExp(`^${WATERFALL.transport}`)))
      .send(bus)
      .assertReply(WATERFALL.name)
      .send(alex)
      .assertReply(WATERFALL.thanks('Alex'))
      .assertReply((reply) => expect(reply.text).toMatch(new RegExp(`^${WATERFALL.askAge}`)))
      .send(yes)
      .assertReply(WATERFALL.age)
      .send(age)
      .assertReply(WATERFALL.ageIs(42))
      .assertReply((reply) => expect(reply.text).toMatch(new RegExp(`^${WATERFALL.confirm.replace('?', '\\?')}`)))
      .send(keep)
      .assertReply(WATERFALL.summary('Bus', 'Alex', 42))
      .send(again)
      .assertReply((reply) => expect(reply.text).toMatch(new RegExp(`^${WATERFALL.transport}`)))
      .startTest();
  });

  it('re-asks an age out of range, and keeps nothing when told no', async () => {
    await newAdapter()
      .send('hi')
      .assertReply(() => undefined)
      .send('Car')
      .assertReply(WATERFALL.name)
      .send('Sam')
      .assertReply(WATERFALL.thanks('Sam'))
      .assertReply(() => undefined)
      .send('yes')
      .assertReply(WATERFALL.age)
      .send('200')
      .assertReply(WATERFALL.ageRetry)
      .send('30')
      .assertReply(WATERFALL.ageIs(30))
      .assertReply(() => undefined)
      .send('no')
      .assertReply(WATERFALL.notKept)
      .startTest();
  });
});

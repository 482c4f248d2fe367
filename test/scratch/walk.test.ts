import { transcript } from '../helpers/transcript';
const answers = (process.env.ANSWERS ?? '').split('|');
it('walks', async () => {
  const t = transcript(process.env.CHANNEL ?? 'test');
  for (const a of answers) {
    const r = await t.ask(a);
    console.log(`>>> ${a}\n${r}\n`);
  }
}, 60000);

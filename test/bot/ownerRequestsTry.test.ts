import { transcript } from '../helpers/transcript';

async function codeFor(t: ReturnType<typeof transcript>, address: string) {
  const [mail] = (await t.assistant.adapters.outbox.latest(20)).filter((m) => m.recipient === address);
  return /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1] ?? '';
}

it('try', async () => {
  const t = transcript();
  const out: string[] = [];
  const say = async (text: string) => {
    const r = await t.ask(text);
    out.push(`> ${text}\n${r}`);
    return r;
  };
  await say('hi');
  await say('Tom has left');
  await say('sarah.hollis@nhs.net');
  await say(await codeFor(t, 'sarah.hollis@nhs.net'));
  await say('yes');
  await say('last friday');
  await say('leaving care altogether');
  await say('confirm');
  await say('what is the status of my request?');
  console.log(out.join('\n\n'));
});

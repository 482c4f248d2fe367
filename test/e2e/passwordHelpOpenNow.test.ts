import { londonInstant } from '../../machines/contactHours';
import { transcript } from '../helpers/transcript';

/**
 * "Is NAS open now?" as the whole assistant says it in password help, from its clock and the
 * bank-holiday calendar: at the edges of NAS's hours (SPEC §2; the rule itself is tested in
 * test/machines/contactHours.test.ts), and again when a step is shown later than it began.
 */
const london = (date: string, hour: number, minute = 0) => londonInstant(date, hour, minute);
const NAS = 'The National Administration Service (careadmin@nhs.net for care providers, dentistadmin@nhs.net for dental practices)';

async function forgottenAt(at: number): Promise<string> {
  const t = transcript();
  t.clock.now = at;
  await t.ask('hello');
  return t.ask('i forgot my pasword');
}

describe('password help says whether NAS is open now, from the clock', () => {
  it.each([
    ['Friday 16:59', london('2026-12-04', 16, 59), `${NAS} is open now, until 5pm today.`],
    ['Friday 17:00', london('2026-12-04', 17, 0), `${NAS} is closed for the day; it opens again at 9am on Monday 7 December.`],
    ['Saturday', london('2026-12-05', 11, 0), `${NAS} is closed at weekends; it opens again at 9am on Monday 7 December.`],
    ['Sunday night', london('2026-12-06', 23, 59), `${NAS} is closed at weekends; it opens again at 9am tomorrow (Monday 7 December).`],
    ['Christmas Day', london('2026-12-25', 10, 0), `${NAS} is closed today for a bank holiday, Christmas Day; it opens again at 9am on Tuesday 29 December.`],
    ['Easter Monday', london('2027-03-29', 10, 0), `${NAS} is closed today for a bank holiday, Easter Monday; it opens again at 9am tomorrow (Tuesday 30 March).`],
    // Easter 2027 and the clocks going forward (Sunday 28 March) share a weekend: after 5pm GMT
    // on Thursday NAS next opens on Tuesday at 9am BST (08:00 UTC).
    ['Thursday 16:59 before Easter and the clock change', Date.UTC(2027, 2, 25, 16, 59), `${NAS} is open now, until 5pm today.`],
    ['Thursday 17:00 before Easter and the clock change', Date.UTC(2027, 2, 25, 17, 0), `${NAS} is closed for the day; it opens again at 9am on Tuesday 30 March.`],
    ['Good Friday', Date.UTC(2027, 2, 26, 12, 0), `${NAS} is closed today for a bank holiday, Good Friday; it opens again at 9am on Tuesday 30 March.`],
    ['Tuesday 07:59 UTC after the clocks went forward (08:59 BST)', Date.UTC(2027, 2, 30, 7, 59), `${NAS} is not open yet; it opens at 9am today.`],
    ['Tuesday 08:30 UTC after they went forward (09:30 BST)', Date.UTC(2027, 2, 30, 8, 30), `${NAS} is open now, until 5pm today.`],
    ['Tuesday 16:00 UTC after they went forward (17:00 BST)', Date.UTC(2027, 2, 30, 16, 0), `${NAS} is closed for the day; it opens again at 9am tomorrow (Wednesday 31 March).`],
    // The clocks go back on Sunday 31 October 2027: Monday 08:30 UTC is 08:30 GMT.
    ['Monday 08:30 UTC after the clocks went back', Date.UTC(2027, 10, 1, 8, 30), `${NAS} is not open yet; it opens at 9am today.`],
    ['Friday 15:59 UTC before they went back (16:59 BST)', Date.UTC(2027, 9, 29, 15, 59), `${NAS} is open now, until 5pm today.`],
  ])('%s', async (_when, at, sentence) => {
    const said = await forgottenAt(at);
    expect(said).toContain(sentence);
    expect(said).toContain('The national helpdesk is open now, as it is 24 hours a day, every day: call 0333 200 1133');
  });

  it('a step shown again later says who is open then, not when the step began', async () => {
    const t = transcript();
    t.clock.now = london('2026-12-04', 16, 58);
    await t.ask('hello');
    expect(await t.ask('i forgot my pasword')).toContain(`${NAS} is open now, until 5pm today.`);
    // Back on Saturday morning, with something the step does not understand.
    t.clock.now = london('2026-12-05', 11, 0);
    const saturday = await t.ask('hello?');
    expect(saturday).toContain(`${NAS} is closed at weekends; it opens again at 9am on Monday 7 December.`);
    expect(saturday).not.toContain('open now, until 5pm');
    t.clock.now = london('2026-12-07', 9, 30);
    const monday = await t.ask('asdfgh');
    expect(monday).toMatch(/^Welcome back/);
    expect(monday).toContain(`${NAS} is open now, until 5pm today.`);
  });
});

import type { AnyStateNode } from 'xstate';
import { memberEntryMachine } from '../../machines/memberEntry';
import { registrationMachine, type RegistrationContext } from '../../machines/registration';
import { MEMBER_STEPS } from '../../dialogs/memberEntry';
import { STEPS, type ListedStep } from '../../dialogs/registration';
import type { Steps } from '../../dialogs/step';

/**
 * One step style, typed against the machine: every state the user can rest in has its wording
 * (the compiler checks it, and this test checks the list of states that need none is right).
 */

/** Every leaf state of a machine as a dotted path, with whether the user passes through it at once. */
function leaves(machine: { root: AnyStateNode }): { path: string; passing: boolean }[] {
  const found: { path: string; passing: boolean }[] = [];
  const walk = (node: AnyStateNode, prefix: string[]) => {
    const children = Object.values(node.states) as AnyStateNode[];
    if (children.length === 0) {
      const passing = node.always !== undefined || node.tags.includes('busy') || node.type === 'final' || node.invoke.length > 0;
      found.push({ path: prefix.join('.'), passing });
      return;
    }
    for (const child of children) walk(child, [...prefix, child.key]);
  };
  walk(machine.root, []);
  return found;
}

describe('the registration dialog is typed against the registration machine', () => {
  it('every state the user can rest in has wording, and no wording is for a state that does not exist', () => {
    const resting = leaves(registrationMachine).filter((l) => !l.passing).map((l) => l.path);
    expect(Object.keys(STEPS).sort()).toEqual(resting.filter((p) => p !== 'members.entering').sort());
  });

  it('the member entry too', () => {
    const resting = leaves(memberEntryMachine).filter((l) => !l.passing).map((l) => l.path);
    expect(Object.keys(MEMBER_STEPS).sort()).toEqual(resting.sort());
  });

  it('a state without wording does not compile', () => {
    const { 'checks.toolkit': _toolkit, ...withoutOne } = STEPS;
    // @ts-expect-error "checks.toolkit" is missing
    const incomplete: Steps<ListedStep, RegistrationContext> = withoutOne;
    expect(Object.keys(incomplete)).not.toContain('checks.toolkit');
  });

  it('each field asked for has why and where-to-find texts beside it', () => {
    const asking = Object.entries(STEPS).filter(([path]) => !/Stop$|^checks\.passed$|Exists$|Pending$|cannotSend|NotRenewed|locked|Rejected|mailboxAddress|members\.|review\.|passcodeExpired|confirmCqcDetails/.test(path));
    for (const [path, step] of asking) {
      expect({ path, why: step.field?.why.length ?? 0, where: step.field?.whereToFind.length ?? 0 }).toEqual({ path, why: expect.any(Number), where: expect.any(Number) });
      expect(step.field!.why.length).toBeGreaterThan(20);
      expect(step.field!.whereToFind.length).toBeGreaterThan(20);
    }
    for (const [path, step] of Object.entries(MEMBER_STEPS).filter(([p]) => p !== 'splitName')) {
      expect({ path, has: !!step.field?.why && !!step.field?.whereToFind }).toEqual({ path, has: true });
    }
  });
});

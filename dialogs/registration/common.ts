import { kindOf, type RegistrationContext } from '../../machines/registration';
import { ADMIN_EMAIL, NAS_HOURS } from '../contacts';

/** Wording shared by the registration's steps. */

/** The NAS mailbox for this registration's kind: careadmin or dentistadmin. */
export const admin = (c: Pick<RegistrationContext, 'organisation' | 'answers'>) => ADMIN_EMAIL[kindOf(c)];

/** "careadmin@nhs.net (9am to 5pm, Monday to Friday, not on bank holidays in England)" */
export const adminWithHours = (c: Pick<RegistrationContext, 'organisation' | 'answers'>) => `${admin(c)} (${NAS_HOURS})`;

export const kindWords = (c: Pick<RegistrationContext, 'organisation' | 'answers'>) => (kindOf(c) === 'dental' ? 'dental practices' : 'care providers');
export const kindWord = (c: Pick<RegistrationContext, 'organisation' | 'answers'>) => (kindOf(c) === 'dental' ? 'dental practice' : 'care provider');

/** "Stepping back would undo it": for the steps after verification. */
export const AFTER_VERIFICATION =
  'Your organisation is verified, and that is kept: there is no going back into verification. You can change anything from here on; to register a different organisation, say "start again".';

/** A check the step needed (the directory, a request store, the passcodes) could not be made. */
export const serviceProblem = (c: Pick<RegistrationContext, 'problem'>) =>
  c.problem === 'serviceUnavailable' ? 'Sorry, I could not check that just now. Nothing is lost: please give the same answer again in a minute.' : undefined;

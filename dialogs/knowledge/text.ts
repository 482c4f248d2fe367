/**
 * Answers are written once and said to each organisation kind in its own terms: "{admin}" is
 * careadmin for a care provider and dentistadmin for a dental practice, and when the kind is not
 * known yet the text names both and says which is which.
 */
import { ADMIN_EMAIL, NAS_HOURS, NATIONAL_HELPDESK, ODS_HELPDESK_EMAIL, OTP_VALID_DAYS } from '../contacts';
import { SHARED_MAILBOX_PREFIX } from '../validators';
import type { KindText, OrganisationKind } from './schema';

type Filler = { care: string; dental: string; unknown: string } | string;

const FILLERS = {
  admin: {
    care: ADMIN_EMAIL.care,
    dental: ADMIN_EMAIL.dental,
    unknown: `${ADMIN_EMAIL.care} (for care providers) or ${ADMIN_EMAIL.dental} (for dental practices)`,
  },
  otpValidity: {
    care: `${OTP_VALID_DAYS.care} days`,
    dental: `${OTP_VALID_DAYS.dental} days`,
    unknown: `${OTP_VALID_DAYS.care} days for a care provider and ${OTP_VALID_DAYS.dental} days for a dental practice`,
  },
  mailboxPrefix: {
    care: SHARED_MAILBOX_PREFIX.care,
    dental: SHARED_MAILBOX_PREFIX.dental,
    unknown: `${SHARED_MAILBOX_PREFIX.care} for care providers, ${SHARED_MAILBOX_PREFIX.dental} for dental practices`,
  },
  helpdeskEmail: NATIONAL_HELPDESK.email,
  helpdeskPhone: NATIONAL_HELPDESK.phone,
  odsHelpdesk: ODS_HELPDESK_EMAIL,
  nasHours: NAS_HOURS,
} satisfies Record<string, Filler>;

export type Placeholder = keyof typeof FILLERS;
export const PLACEHOLDERS = Object.keys(FILLERS) as readonly Placeholder[];

/** The text for this kind (or for any kind), with its placeholders filled in. */
export function renderText(text: KindText, kind?: OrganisationKind): string {
  const chosen = typeof text === 'string' ? text : ((kind && text[kind]) ?? text.any);
  return chosen.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => {
    const filler = (FILLERS as Record<string, Filler>)[name];
    if (filler === undefined) return whole;
    return typeof filler === 'string' ? filler : filler[kind ?? 'unknown'];
  });
}

import { PASSCODE_VALID_DAYS } from '../machines/registration/rules';

/** Who helps with what (SPEC: "Who uses it, and for what"). */

export const NATIONAL_HELPDESK = {
  email: 'helpdesk@nhs.net',
  phone: '0333 200 1133',
  hours: '24 hours a day, every day',
} as const;

export const ODS_HELPDESK_EMAIL = 'exeter.helpdesk@nhs.net';

/** Said inside brackets after an address, so it has none of its own. */
export const NAS_HOURS = '9am to 5pm, Monday to Friday, not on bank holidays in England';

/**
 * How long NAS usually takes to work a registration. The guides give no figure ("as soon as
 * possible"); this is the wording the service commits to, kept in one place.
 */
export const NAS_USUAL_TIME = 'a few working days';

/** How long NAS keeps a request (SPEC §3.1). */
export const REQUEST_KEPT_FOR = '2 years';

export type AdminKind = 'care' | 'dental';

/** Days a one-time passcode stays valid after it is issued (the rule is machines/registration/rules.ts). */
export const OTP_VALID_DAYS: Readonly<Record<AdminKind, number>> = PASSCODE_VALID_DAYS;

/** The National Administration Service mailbox for each kind of organisation. */
export const ADMIN_EMAIL: Record<AdminKind, string> = {
  care: 'careadmin@nhs.net',
  dental: 'dentistadmin@nhs.net',
};

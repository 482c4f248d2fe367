import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/bot';

/** The shipped organisation data set (adapters/data/organisations.json), as the directory reads it. */
export interface OrganisationRecord {
  kind: 'care' | 'dental' | 'hospice';
  name: string;
  odsCode: string;
  cqcLocationId: string;
  cqcContactId: string;
  address: { lines: string[]; town: string; postcode: string };
  hasSharedMailbox: boolean;
  hasPendingRegistration: boolean;
  fullDetailsHeld: boolean;
}

let cached: OrganisationRecord[] | undefined;

export function organisationsData(): OrganisationRecord[] {
  cached ??= (JSON.parse(readFileSync(path.join(REPO_ROOT, 'adapters', 'data', 'organisations.json'), 'utf8')) as { organisations: OrganisationRecord[] }).organisations;
  return cached;
}

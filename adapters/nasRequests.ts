import type { Member } from '../machines/registration';

/**
 * Requests for the National Administration Service (NAS). Durable: in Redis each request is a
 * hash plus an entry on a stream (`nas:requests`) that NAS workers read with a consumer group.
 */

export type NasRequestStatus = 'submitted' | 'in-progress' | 'completed' | 'rejected';

/** A person the registration asks an account for (the registration machine's `Member`). */
export type RegistrationMember = Member;

export interface RegistrationRequestDetails {
  organisation: { kind: 'care' | 'dental'; name: string; odsCode: string; cqcLocationId: string };
  town: string;
  sharedMailboxAddress: string;
  members: RegistrationMember[];
  verifiedBy: 'otp' | 'cqc-contact-id';
}

export interface NasRequest {
  /** e.g. REG-7KD9QX2P */
  reference: string;
  type: 'registration';
  status: NasRequestStatus;
  details: RegistrationRequestDetails;
  /** Opaque: how to reach the requester's conversation later (a Bot Framework conversation reference). */
  conversationReference: unknown;
  /** The conversation that raised it (hashed key). */
  conversationKey: string;
  createdAt: number;
  updatedAt: number;
}

export interface NasRequests {
  /**
   * Stores a registration request with status `submitted`. Submitting again for the same
   * conversation, or for the same ODS code while one is pending, returns the first request.
   */
  submitRegistration(input: {
    details: RegistrationRequestDetails;
    conversationKey: string;
    conversationReference: unknown;
  }): Promise<{ request: NasRequest; created: boolean }>;
  get(reference: string): Promise<NasRequest | undefined>;
  /** The pending (submitted or in progress) registration for an ODS code, if any. */
  pendingForOdsCode(odsCode: string): Promise<NasRequest | undefined>;
}

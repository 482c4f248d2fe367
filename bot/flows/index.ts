import { ownerRequests } from './ownerRequests';
import { passwordHelp } from './passwordHelp';
import { registration } from './registration';
import type { Flow } from './types';

export type { Flow, FlowAdapters } from './types';

/** Every flow the assistant offers, in menu order. Adding a flow is one line here. */
export const FLOWS: readonly Flow[] = [registration, passwordHelp, ownerRequests];

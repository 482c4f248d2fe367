import { registrationDialog } from '../dialogs/registration';
import type { FlowDialog } from '../dialogs/types';
import type { FlowMachine } from '../machines/conversation';
import { provideRegistrationServices } from '../machines/registration';
import { RegistrationAdapters, createRegistrationServices } from './registrationServices';

/** The adapters every flow may use. */
export type FlowAdapters = RegistrationAdapters;

export interface Flow {
  dialog: FlowDialog;
  /** The flow's machine with its effects provided. */
  machine: (adapters: FlowAdapters) => FlowMachine['machine'];
}

/**
 * Every flow the assistant offers, in menu order: a machine that decides and a dialog that
 * speaks. Adding a flow is one line here.
 */
export const FLOWS: readonly Flow[] = [
  { dialog: registrationDialog, machine: (adapters) => provideRegistrationServices(createRegistrationServices(adapters)) },
];

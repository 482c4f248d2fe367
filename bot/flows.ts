import { registrationDialog } from '../dialogs/registration';
import type { FlowDialog } from '../dialogs/types';
import type { FlowMachine } from '../machines/conversation';
import { registrationMachine } from '../machines/registration';

/**
 * Every flow the assistant offers, in menu order: a machine that decides and a dialog that
 * speaks. Adding a flow is one line here.
 */
export const FLOWS: readonly { machine: FlowMachine['machine']; dialog: FlowDialog }[] = [
  { machine: registrationMachine, dialog: registrationDialog },
];

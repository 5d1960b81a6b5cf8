import executions from './executions.js';
import flows from './flows.js';

/** Studio v2 (studio.twilio.com): Flows, Revisions, Validate, Executions, Steps and their Context; TestUsers answer 501. */
export const STUDIO_RESOURCES = [flows, executions];

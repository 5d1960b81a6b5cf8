import configuration from './configuration.js';
import interactions from './interactions.js';
import unimplemented from './unimplemented.js';

/** Flex v1 (flex-api.twilio.com): Interactions and Configuration; the rest of the spec answers 501. */
export const FLEX_RESOURCES = [interactions, configuration, unimplemented];

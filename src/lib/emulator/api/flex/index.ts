import configuration from './configuration.js';
import interactions from './interactions.js';
import unimplemented from './unimplemented.js';
import webchats from './webchats.js';

/** Flex v1 (flex-api.twilio.com): Interactions and Configuration; v2: WebChats; the rest of the spec answers 501. */
export const FLEX_RESOURCES = [interactions, configuration, webchats, unimplemented];

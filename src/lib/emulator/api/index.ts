import type {Resource} from '../router.js';
import addresses from './conversations/addresses.js';
import conversations from './conversations/conversations.js';
import messages from './conversations/messages.js';
import participants from './conversations/participants.js';
import services from './conversations/services.js';
import users from './conversations/users.js';
import webhooks from './conversations/webhooks.js';
import {FLEX_RESOURCES} from './flex/index.js';
import {STUDIO_RESOURCES} from './studio/index.js';
import {TASKROUTER_RESOURCES} from './taskrouter/index.js';

/** Every emulated resource; the server registers them all through one router. */
export const RESOURCES: Resource[] = [addresses, services, conversations, participants, messages, webhooks, users, ...TASKROUTER_RESOURCES, ...FLEX_RESOURCES, ...STUDIO_RESOURCES];

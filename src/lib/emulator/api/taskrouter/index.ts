import events from './events.js';
import queues from './queues.js';
import statistics from './statistics.js';
import tasks from './tasks.js';
import workers from './workers.js';
import workspaces from './workspaces.js';

/** TaskRouter v1 (taskrouter.twilio.com): every operation of the spec. */
export const TASKROUTER_RESOURCES = [workspaces, queues, workers, tasks, events, statistics];

import {EXECUTIONS, type ExecutionDoc} from '../../model/studio.js';
import {Tx} from '../../store/tx.js';
import type {Core} from '../core.js';
import type {Engine} from '../index.js';
import {forgetDefinitions, httpAnswered, HTTP_EVENT, replyTimedOut} from './executor.js';
import {incomingConversationMessage} from './ops.js';
import {HTTP_TIMEOUT_MS, perform} from './widgets/http.js';

/** What the conversations engine records for a studio webhook (see engine/conversations/hooks.ts post()). */
export const INCOMING_CONVERSATION_MESSAGE = 'studio.incomingConversationMessage';

/**
 * Studio: a reactor on the bus feeds conversation messages to flows, the one clock times out
 * send-and-wait-for-reply, and make-http-request's requests are sent after the commit that
 * made the execution wait (idle() waits for them). At start-up the requests of executions a
 * previous process left waiting are sent again.
 */
export const studioEngine: Engine = {
  name: 'studio',

  install(core: Core) {
    const {bus, scheduler, store} = core;
    bus.on(INCOMING_CONVERSATION_MESSAGE, (tx, event) => incomingConversationMessage(tx, event.data));
    bus.on(HTTP_EVENT, (tx, event) => {
      const exec = tx.repo(EXECUTIONS).get(String(event.data.ExecutionSid), String(event.data.FlowSid));
      if (exec) send(core, exec);
    });
    scheduler.handle('studio.reply-timeout', (tx, data) => replyTimedOut(tx, data));
    store.onReset(forgetDefinitions);
  },

  start(core: Core) {
    const {store} = core;
    for (const a of store.accounts())
      for (const exec of store.repo(EXECUTIONS).all(a.sid, {status: 'active'}))
        if (exec._.waiting?.kind === 'http') send(core, exec);
  },
};

/** Send a waiting execution's request; its answer moves the execution on in a transaction of its own. */
function send(core: Core, exec: ExecutionDoc): void {
  const w = exec._.waiting;
  if (w?.kind !== 'http') return;
  const {store, clock} = core;
  const accountSid = exec.account_sid;
  const work = perform(w.request, core.studioHttpTimeoutMs ?? HTTP_TIMEOUT_MS).then((outcome) => {
    if (!store.db.open) return;
    try {
      store.tx(() => httpAnswered(new Tx(store, accountSid, clock.now()), exec.flow_sid, exec.sid, w.widget, outcome));
      store.flush();
    } catch (error) {
      core.onError?.(error);
    }
  });
  void core.webhooks.track(work);
}

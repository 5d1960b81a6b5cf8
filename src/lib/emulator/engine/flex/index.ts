import {Tx} from '../../store/tx.js';
import type {Core} from '../core.js';
import type {Engine} from '../index.js';
import {BUS_PREFIX} from '../taskrouter/events.js';
import {agentJoins, provisionFlex, reservationDeclined, taskCanceled, type ReservationEvent} from './ops.js';

/**
 * Flex: every account gets the Flex set-up (unless the emulator is bare); what Flex UI does
 * after TaskRouter acts happens in reactions — an accepted reservation joins the agent, a
 * declined one to a known worker cancels its task, a canceled task fails the transfer it carried.
 */
export const flexEngine: Engine = {
  name: 'flex',

  install(core: Core) {
    const {store, clock, bus} = core;
    if (!core.bare) store.onAccountAdded((accountSid) => void provisionFlex(new Tx(store, accountSid, clock.now())));
    bus.on(`${BUS_PREFIX}reservation.accepted`, (tx, event) => agentJoins(tx, event.data as unknown as ReservationEvent));
    for (const type of ['reservation.rejected', 'reservation.timeout'])
      bus.on(`${BUS_PREFIX}${type}`, (tx, event) => reservationDeclined(tx, event.data as unknown as ReservationEvent));
    bus.on(`${BUS_PREFIX}task.canceled`, (tx, event) => taskCanceled(tx, event.data as unknown as {task_sid: string}));
  },
};

/** eachLimit: the bound on requests in flight of bulk commands (`conversations prune --concurrency`). */
import {expect} from 'chai';
import {eachLimit} from '../../src/lib/twilio/pool.js';

/** A call that stays in flight until release() — so the test sees how many run at once. */
function gate() {
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  return {
    call: (i: number) =>
      new Promise<void>((resolve) => {
        inFlight++;
        most = Math.max(most, inFlight);
        started.push(i);
        waiting.push(() => {
          inFlight--;
          resolve();
        });
      }),
    releaseAll: async () => {
      while (waiting.length) {
        waiting.shift()!();
        await new Promise((r) => setImmediate(r));
      }
    },
    get most() {
      return most;
    },
    started,
  };
}

describe('eachLimit (bounded concurrency)', () => {
  it('never more than `limit` calls in flight, and every item once', async () => {
    const g = gate();
    const done = eachLimit([0, 1, 2, 3, 4, 5, 6], 3, (i) => g.call(i));
    await new Promise((r) => setImmediate(r));
    expect(g.started).to.deep.equal([0, 1, 2]);
    await g.releaseAll();
    await done;
    expect(g.most).to.equal(3);
    expect([...g.started].sort()).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });

  it('the first failure stops new calls and is thrown after those in flight settle', async () => {
    const seen: number[] = [];
    let error: unknown;
    await eachLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
      seen.push(i);
      if (i === 1) throw new Error('boom');
    }).catch((e) => (error = e));
    expect((error as Error).message).to.equal('boom');
    expect(seen).to.not.include.members([4, 5]);
  });

  it('an empty list, and a limit above the list length', async () => {
    await eachLimit([], 4, async () => {
      throw new Error('never called');
    });
    const seen: number[] = [];
    await eachLimit([1, 2], 10, async (i) => void seen.push(i));
    expect(seen).to.deep.equal([1, 2]);
  });
});

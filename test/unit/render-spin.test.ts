/**
 * Renderer.spin(): a spinner (ora) on a terminal stream that reports its width; one plain
 * progress line otherwise (a pipe, a file, --json, a pseudo-terminal with no width), so scripts
 * never see spinner frames.
 */
import {expect} from 'chai';
import {PassThrough} from 'node:stream';
import {Renderer} from '../../src/lib/render/index.js';

function stream(tty: {isTTY?: boolean; columns?: number}) {
  const s = new PassThrough() as PassThrough & {isTTY?: boolean; columns?: number; cursorTo?: unknown; clearLine?: unknown; moveCursor?: unknown};
  Object.assign(s, tty, {cursorTo: () => true, clearLine: () => true, moveCursor: () => true});
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return {s, text: () => text};
}

describe('render: spin()', () => {
  it('off a terminal: one plain `text…` line, the work\'s result returned, errors passed on', async () => {
    const err = stream({});
    const r = new Renderer({json: false, color: false, out: new PassThrough(), err: err.s});
    expect(await r.spin('Waiting for KD1', async (update) => (update('ignored'), 42))).to.equal(42);
    expect(err.text()).to.equal('Waiting for KD1…\n');
    let caught: unknown;
    await r.spin('Again', async () => {
      throw new Error('boom');
    }).catch((e: unknown) => (caught = e));
    expect((caught as Error).message).to.equal('boom');
  });

  it('under --json on a terminal, and on a terminal without a width: the plain line, no frames', async () => {
    for (const [json, columns] of [[true, 80], [false, 0]] as const) {
      const err = stream({isTTY: true, columns});
      const r = new Renderer({json, color: false, out: new PassThrough(), err: err.s});
      await r.spin('Waiting', async () => 1);
      expect(err.text()).to.equal('Waiting…\n');
    }
  });

  it('on a terminal with a width: ora\'s frames with the (updated) text, cleared when done', async () => {
    const err = stream({isTTY: true, columns: 80});
    const r = new Renderer({json: false, color: false, out: new PassThrough(), err: err.s});
    // ora draws its first frame on start: no waiting needed
    await r.spin('Waiting for KD1', async (update) => update('Waiting for KD1: channel setup'));
    expect(err.text()).to.contain('Waiting for KD1').and.not.equal('Waiting for KD1…\n');
    expect(err.text()).to.match(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });
});

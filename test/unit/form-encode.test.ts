import {expect} from 'chai';
import {formEncode} from '../../src/lib/emulator/engine/signature.js';

describe('formEncode (webhook bodies)', () => {
  it('writes exactly what URLSearchParams writes, for every kind of character', () => {
    const samples = [
      '',
      'plain',
      'a b+c&d=e',
      "!'()*~-._",
      '{"json": [1, 2], "k": "v"}',
      'ünïcödé 日本 🙂',
      '\r\n\t%',
      'lone \ud800 surrogate',
      '+15550001000',
      'whatsapp:+1555',
    ];
    // every ASCII character, one by one
    for (let c = 0; c < 128; c++) samples.push(`x${String.fromCharCode(c)}y`);
    for (const v of samples) {
      const params = {[`K ${v}`]: v, Plain: 'x', List: [v, 'second']};
      const reference = new URLSearchParams();
      for (const [k, val] of Object.entries(params))
        for (const item of Array.isArray(val) ? val : [val]) reference.append(k, item);
      expect(formEncode(params), JSON.stringify(v)).to.equal(reference.toString());
    }
  });

  it('agrees with URLSearchParams on random text (any code unit, surrogates included)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      let v = '';
      for (let n = rand(12); n > 0; n--) {
        const kind = rand(4);
        v += String.fromCharCode(kind === 0 ? rand(128) : kind === 1 ? 0xd800 + rand(0x800) : kind === 2 ? rand(0x10000) : 0x41 + rand(26));
      }
      const reference = new URLSearchParams();
      reference.append(v, v);
      reference.append('Plain', 'x');
      expect(formEncode({[v]: v, Plain: 'x'}), JSON.stringify(v)).to.equal(reference.toString());
    }
  });
});

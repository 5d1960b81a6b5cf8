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
});

import {expect} from 'chai';
import {compile, compileValue, ExpressionError, parseOrderBy} from '../../src/lib/emulator/engine/taskrouter/expression/index.js';

/**
 * The expression table: expression × attributes → result, covering the documented edge cases
 * [docs: taskrouter/expression-syntax] and the emulator's choices where the docs are silent
 * (marked in evaluate.ts).
 */
const ATTRS = {
  type: 'support',
  language: 'en',
  level: 3,
  score: 4.5,
  vip: true,
  skills: ['billing', 'sales', 2],
  languages: ['en', 'es'],
  customer: {tier: 'gold', address: {country: 'US'}, tags: ['a', 'b']},
  empty: [],
  nothing: null,
  text: 'hello world',
};

const TABLE: [string, boolean][] = [
  // constants
  ['1==1', true],
  ['1 == 1', true],
  ['0 != 1', true],
  ['1 == 2', false],
  ['true', true],
  ['false', false],
  // string equality, both quote styles, case of keywords
  ["type == 'support'", true],
  ['type == "support"', true],
  ["type = 'support'", true],
  ["type != 'sales'", true],
  ["type <> 'support'", false],
  ["type == 'Support'", false],
  // numbers
  ['level > 2', true],
  ['level >= 3', true],
  ['level < 3', false],
  ['level <= 3', true],
  ['score > 4.25', true],
  ['score == 4.5', true],
  ['level > -1', true],
  // cross-type comparisons are false
  ["level == '3'", false],
  ["level > 'a'", false],
  // strings order by code point
  ["language < 'fr'", true],
  // booleans
  ['vip == true', true],
  ['vip != false', true],
  // missing keys are NULL
  ['missing == null', true],
  ['nothing == null', true],
  ["missing != 'x'", true],
  ['missing > 1', false],
  ["missing == 'x'", false],
  ["missing HAS 'x'", false],
  ["missing IN ['x']", false],
  ['type != null', true],
  // dotted paths, array indexes
  ["customer.tier == 'gold'", true],
  ["customer.address.country == 'US'", true],
  ["customer.address.city == 'x'", false],
  ["customer.tags[1] == 'b'", true],
  ["customer.tags[5] == 'b'", false],
  ["skills[0] == 'billing'", true],
  ['skills[2] == 2', true],
  // HAS / NOT HAS
  ["skills HAS 'billing'", true],
  ['skills HAS "sales"', true],
  ['skills HAS 2', true],
  ["skills HAS 'support'", false],
  ["skills NOT HAS 'support'", true],
  ["skills NOT HAS 'billing'", false],
  ["empty HAS 'x'", false],
  ["type HAS 'support'", false], // array operator on a scalar
  ["customer.tags has 'a'", true],
  // IN / NOT IN
  ["language IN ['en', 'fr']", true],
  ['language IN ["fr", "de"]', false],
  ["language NOT IN ['fr', 'de']", true],
  ["language not in ['en']", false],
  ['level IN [1, 2, 3]', true],
  ['language IN languages', true],
  ["skills IN ['billing']", false], // an array on the left of IN: false
  ["language IN 'en'", false], // a scalar on the right of IN: false
  ['language IN []', false],
  // CONTAINS / NOT CONTAINS
  ["text CONTAINS 'world'", true],
  ["text CONTAINS 'moon'", false],
  ["text NOT CONTAINS 'moon'", true],
  ["skills CONTAINS 'bill'", false], // a scalar operator on an array: false
  ["skills == 'billing'", false],
  ["skills != 'billing'", false],
  // logic and precedence (AND binds tighter than OR)
  ["type == 'support' AND level > 2", true],
  ["type == 'support' and level > 5", false],
  ["type == 'sales' OR level > 2", true],
  ["type == 'sales' or level > 5", false],
  ["type == 'x' AND level > 5 OR vip == true", true],
  ["vip == true OR type == 'x' AND level > 5", true],
  ["(vip == true OR type == 'x') AND level > 5", false],
  ["NOT (type == 'sales')", true],
  ["NOT type == 'support'", false],
  ["not (level > 1 and level < 3)", true],
  ["((type == 'support'))", true],
];

describe('taskrouter: expression language', () => {
  describe('the table (expression × attributes)', () => {
    for (const [expr, want] of TABLE)
      it(`${expr} → ${want}`, () => {
        expect(compile(expr)({bare: ATTRS})).to.equal(want);
      });
  });

  it('target expressions read worker. and task. (and bare keys as worker attributes)', () => {
    const env = {bare: {skills: ['en']}, worker: {skills: ['en', 'fr'], level: 2, activity_name: 'Available'}, task: {lang: 'fr', min: 1}};
    expect(compile('worker.skills HAS task.lang')(env)).to.equal(true);
    expect(compile('worker.level > task.min')(env)).to.equal(true);
    expect(compile("worker.activity_name IN ['Available','Busy']")(env)).to.equal(true);
    expect(compile('task.lang IN worker.skills')(env)).to.equal(true);
    expect(compile("skills HAS 'en'")(env)).to.equal(true);
    // a prefix whose document is not given is an ordinary key
    expect(compile("task.lang == 'fr'")({bare: {task: {lang: 'fr'}}})).to.equal(true);
    expect(compile('workers.available > 0')({workers: {available: 2}})).to.equal(true);
  });

  it('value expressions and order_by', () => {
    expect(compileValue('task.agent')({task: {agent: 'WK1'}})).to.equal('WK1');
    expect(compileValue("'WK2'")({})).to.equal('WK2');
    expect(parseOrderBy('worker.level DESC, worker.age')).to.deep.equal([
      {path: ['worker', 'level'], desc: true},
      {path: ['worker', 'age'], desc: false},
    ]);
  });

  it('parses once (the cache hands back the same function)', () => {
    expect(compile("type == 'support'")).to.equal(compile("type == 'support'"));
  });

  const ERRORS: [string, number, RegExp][] = [
    ['', 0, /empty/],
    ["type == 'support", 8, /unterminated string/],
    ['type ==', 7, /expected a key or a value/],
    ['type', 4, /expected an operator/],
    ["type == 'a' AND", 15, /expected a key or a value/],
    ["(type == 'a'", 12, /expected '\)'/],
    ["type == 'a')", 11, /unexpected/],
    ["type ~ 'a'", 5, /unexpected character/],
    ["my-key == 'a'", 2, /hyphens/],
    ["skills HAS ['a'", 15, /expected ',' or '\]'/],
    ["type NOT 'a'", 9, /expected IN, HAS or CONTAINS after NOT/],
    ["a.[0] == 1", 2, /expected a key after '.'/],
    ["type == 'a' 'b'", 12, /unexpected/],
  ];
  for (const [expr, pos, why] of ERRORS)
    it(`syntax error: ${JSON.stringify(expr)} at ${pos}`, () => {
      try {
        compile(expr);
      } catch (e) {
        expect(e).to.be.instanceOf(ExpressionError);
        expect((e as ExpressionError).position).to.equal(pos);
        expect((e as ExpressionError).why).to.match(why);
        return;
      }
      throw new Error('expected a syntax error');
    });
});

/**
 * TaskRouter's expression language [docs: taskrouter/expression-syntax], parsed into a tree whose
 * nodes keep their position (a syntax error is a 400 that points at it).
 *
 *   expr    := or
 *   or      := and ('OR' and)*            AND binds tighter than OR [unverified: the docs say
 *   and     := not ('AND' not)*            "use parentheses"; this is the usual precedence]
 *   not     := 'NOT' not | primary
 *   primary := '(' expr ')' | operand (op operand)?
 *   op      := == | = | != | <> | > | >= | < | <= | CONTAINS | NOT CONTAINS | HAS | NOT HAS | IN | NOT IN
 *   operand := 'string' | "string" | number | true | false | null | [literal, ...] | path
 *   path    := key ('.' key | '[' integer ']')*
 *
 * Keywords in any case (`in`, `and` are seen in the wild); `=` and `<>` and NOT HAS/NOT
 * CONTAINS are leniencies the docs don't list [unverified].
 */

export class ExpressionError extends Error {
  constructor(
    readonly why: string,
    /** 0-based character offset into the expression. */
    readonly position: number,
    readonly expression: string,
  ) {
    super(`${why} at position ${position} of '${expression}'`);
    this.name = 'ExpressionError';
  }
}

export type Op = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'CONTAINS' | 'NOT CONTAINS' | 'HAS' | 'NOT HAS' | 'IN' | 'NOT IN';

export type Scalar = string | number | boolean | null;

export type Node =
  | {kind: 'or' | 'and'; left: Node; right: Node; pos: number}
  | {kind: 'not'; operand: Node; pos: number}
  | {kind: 'cmp'; op: Op; left: Operand; right: Operand; pos: number}
  | {kind: 'truth'; operand: Operand; pos: number};

export type Operand =
  | {kind: 'literal'; value: Scalar | Scalar[]; pos: number}
  | {kind: 'path'; path: (string | number)[]; text: string; pos: number};

type Tok =
  | {t: 'str'; v: string; pos: number}
  | {t: 'num'; v: number; pos: number}
  | {t: 'word'; v: string; pos: number}
  | {t: 'punct'; v: string; pos: number}
  | {t: 'end'; pos: number};

const PUNCT = ['==', '!=', '<>', '>=', '<=', '=', '>', '<', '(', ')', '[', ']', ',', '.'];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const fail = (why: string, at: number): never => {
    throw new ExpressionError(why, at, src);
  };
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) fail('unterminated string', start);
        const d = src[i];
        if (d === '\\' && i + 1 < src.length) {
          v += src[i + 1];
          i += 2;
          continue;
        }
        if (d === c) break;
        v += d;
        i++;
      }
      i++;
      out.push({t: 'str', v, pos: start});
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? '') && !lastIsValue(out))) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i))!;
      out.push({t: 'num', v: Number(m[0]), pos: i});
      i += m[0].length;
      // a key may not start with a digit: `1abc` is an error, not 1 then abc
      if (/[A-Za-z_]/.test(src[i] ?? '')) fail(`unexpected '${src[i]}' after the number ${m[0]}`, i);
      continue;
    }
    if (/[A-Za-z_$@]/.test(c)) {
      const m = /^[A-Za-z_$@][A-Za-z0-9_$@]*/.exec(src.slice(i))!;
      out.push({t: 'word', v: m[0], pos: i});
      i += m[0].length;
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    if (!p) fail(c === '-' ? `'-' is not allowed in a key (hyphens are not supported)` : `unexpected character '${c}'`, i);
    out.push({t: 'punct', v: p!, pos: i});
    i += p!.length;
  }
  out.push({t: 'end', pos: src.length});
  return out;
}

function lastIsValue(toks: Tok[]): boolean {
  const l = toks[toks.length - 1];
  return !!l && (l.t === 'num' || l.t === 'str' || (l.t === 'word' && !KEYWORDS.has(l.v.toUpperCase())) || (l.t === 'punct' && (l.v === ')' || l.v === ']')));
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'HAS', 'CONTAINS']);

const describe = (t: Tok): string =>
  t.t === 'end' ? 'the end of the expression' : t.t === 'str' ? `the string '${t.v}'` : `'${String(t.v)}'`;

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  private peek(): Tok {
    return this.toks[this.i];
  }
  private next(): Tok {
    return this.toks[this.i++];
  }
  private fail(why: string, tok: Tok = this.peek()): never {
    throw new ExpressionError(why, tok.pos, this.src);
  }
  private isWord(w: string, tok = this.peek()): boolean {
    return tok.t === 'word' && tok.v.toUpperCase() === w;
  }
  private isPunct(p: string, tok = this.peek()): boolean {
    return tok.t === 'punct' && tok.v === p;
  }

  parse(): Node {
    if (this.peek().t === 'end') this.fail('the expression is empty');
    const n = this.or();
    if (this.peek().t !== 'end') this.fail(`unexpected ${describe(this.peek())} (expected AND, OR or the end)`);
    return n;
  }

  private or(): Node {
    let left = this.and();
    while (this.isWord('OR')) {
      const pos = this.next().pos;
      left = {kind: 'or', left, right: this.and(), pos};
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.isWord('AND')) {
      const pos = this.next().pos;
      left = {kind: 'and', left, right: this.not(), pos};
    }
    return left;
  }

  private not(): Node {
    if (this.isWord('NOT')) {
      const pos = this.next().pos;
      return {kind: 'not', operand: this.not(), pos};
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.peek();
    if (this.isPunct('(')) {
      this.next();
      const inner = this.or();
      if (!this.isPunct(')')) this.fail(`expected ')' to close the '(' at position ${t.pos}, found ${describe(this.peek())}`);
      this.next();
      return inner;
    }
    const left = this.operand();
    const op = this.op();
    if (!op) {
      // a lone operand is only allowed as the constants true / false
      if (left.kind !== 'literal' || typeof left.value !== 'boolean')
        this.fail(`expected an operator (==, !=, >, <, HAS, IN, CONTAINS …) after ${describe(t)}, found ${describe(this.peek())}`);
      return {kind: 'truth', operand: left, pos: left.pos};
    }
    const right = this.operand();
    return {kind: 'cmp', op: op.op, left, right, pos: op.pos};
  }

  private op(): {op: Op; pos: number} | undefined {
    const t = this.peek();
    if (t.t === 'punct') {
      const map: Record<string, Op> = {'==': '==', '=': '==', '!=': '!=', '<>': '!=', '>': '>', '>=': '>=', '<': '<', '<=': '<='};
      const op = map[t.v];
      if (!op) return undefined;
      this.next();
      return {op, pos: t.pos};
    }
    if (t.t !== 'word') return undefined;
    const w = t.v.toUpperCase();
    if (w === 'HAS' || w === 'IN' || w === 'CONTAINS') {
      this.next();
      return {op: w, pos: t.pos};
    }
    if (w === 'NOT') {
      const after = this.toks[this.i + 1];
      const w2 = after.t === 'word' ? after.v.toUpperCase() : '';
      if (w2 === 'HAS' || w2 === 'IN' || w2 === 'CONTAINS') {
        this.i += 2;
        return {op: `NOT ${w2}` as Op, pos: t.pos};
      }
      this.fail(`expected IN, HAS or CONTAINS after NOT, found ${describe(after)}`, after);
    }
    return undefined;
  }

  private literal(): Scalar {
    const t = this.next();
    if (t.t === 'str' || t.t === 'num') return t.v;
    if (t.t === 'word') {
      const w = t.v.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
    }
    return this.fail(`expected a string, number, true, false or null in the array, found ${describe(t)}`, t);
  }

  private operand(): Operand {
    const t = this.peek();
    if (t.t === 'str' || t.t === 'num') {
      this.next();
      return {kind: 'literal', value: t.v, pos: t.pos};
    }
    if (this.isPunct('[')) {
      this.next();
      const items: Scalar[] = [];
      if (!this.isPunct(']'))
        for (;;) {
          items.push(this.literal());
          if (this.isPunct(',')) {
            this.next();
            continue;
          }
          if (this.isPunct(']')) break;
          this.fail(`expected ',' or ']' in the array, found ${describe(this.peek())}`);
        }
      this.next();
      return {kind: 'literal', value: items, pos: t.pos};
    }
    if (t.t === 'word') {
      const w = t.v.toLowerCase();
      if (KEYWORDS.has(t.v.toUpperCase())) this.fail(`expected a key or a value, found the keyword ${t.v}`);
      this.next();
      if (w === 'true' || w === 'false') return {kind: 'literal', value: w === 'true', pos: t.pos};
      if (w === 'null') return {kind: 'literal', value: null, pos: t.pos};
      const path: (string | number)[] = [t.v];
      let text = t.v;
      for (;;) {
        if (this.isPunct('.')) {
          this.next();
          const k = this.next();
          if (k.t !== 'word') this.fail(`expected a key after '.', found ${describe(k)}`, k);
          path.push((k as {v: string}).v);
          text += `.${(k as {v: string}).v}`;
        } else if (this.isPunct('[')) {
          this.next();
          const n = this.next();
          if (n.t !== 'num' || !Number.isInteger(n.v) || n.v < 0) this.fail(`expected an array index (0, 1, …), found ${describe(n)}`, n);
          if (!this.isPunct(']')) this.fail(`expected ']' after the index, found ${describe(this.peek())}`);
          this.next();
          path.push((n as {v: number}).v);
          text += `[${(n as {v: number}).v}]`;
        } else break;
      }
      return {kind: 'path', path, text, pos: t.pos};
    }
    return this.fail(`expected a key or a value, found ${describe(t)}`);
  }
}

export function parse(src: string): Node {
  return new Parser(lex(src), src).parse();
}

/** `worker.level DESC, worker.age` → keys with their direction (order_by of a workflow target). */
export function parseOrderBy(src: string): {path: (string | number)[]; desc: boolean}[] {
  const toks = lex(src);
  const out: {path: (string | number)[]; desc: boolean}[] = [];
  const p = new Parser(toks, src) as unknown as {operand(): Operand; peek(): Tok; next(): Tok};
  for (;;) {
    const o = p.operand();
    if (o.kind !== 'path') throw new ExpressionError('expected a key to order by', o.pos, src);
    let desc = false;
    const t = p.peek();
    if (t.t === 'word' && /^(asc|desc)$/i.test(t.v)) {
      desc = t.v.toUpperCase() === 'DESC';
      p.next();
    }
    out.push({path: o.path, desc});
    const n = p.peek();
    if (n.t === 'end') return out;
    if (n.t === 'punct' && n.v === ',') {
      p.next();
      continue;
    }
    throw new ExpressionError(`expected ',', ASC, DESC or the end, found ${describe(n)}`, n.pos, src);
  }
}

/** An expression that yields a value (known_worker_sid: `task.agent_sid`, or a literal sid). */
export function parseOperand(src: string): Operand {
  const toks = lex(src);
  const p = new Parser(toks, src) as unknown as {operand(): Operand; peek(): Tok};
  if (p.peek().t === 'end') throw new ExpressionError('the expression is empty', 0, src);
  const o = p.operand();
  const t = p.peek();
  if (t.t !== 'end') throw new ExpressionError(`unexpected ${describe(t)} (expected one key or value)`, t.pos, src);
  return o;
}

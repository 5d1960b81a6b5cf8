import {readFileSync} from 'node:fs';
import {FlexconvError} from '../errors.js';

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  reason: string;
}

/**
 * Where a JSON text first goes wrong, or undefined when it is valid. V8's JSON.parse messages
 * don't always carry a position (and differ between Node versions), so this small strict scanner
 * finds it for error messages that name the line.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (reason: string): never => {
    throw new ScanError(i, reason);
  };
  const got = () => (i >= text.length ? 'end of input' : JSON.stringify(text[i]));
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (c: string, what: string) => {
    ws();
    if (text[i] !== c) fail(`expected ${what}, got ${got()}`);
    i++;
  };
  const str = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('control character in string');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape in string');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('bad escape in string');
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(`bad number`);
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a double-quoted property name, got ${got()}`);
        str();
        expect(':', '":"');
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') fail('trailing comma');
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected "," or "}" after a property value, got ${got()}`);
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') fail('trailing comma');
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected "," or "]" after an array element, got ${got()}`);
      }
    } else if (c === '"') {
      str();
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      num();
    } else {
      for (const lit of ['true', 'false', 'null'])
        if (text.startsWith(lit, i)) {
          i += lit.length;
          return;
        }
      fail(`unexpected ${got()}`);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${got()} after the end of the document`);
    return undefined;
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    return {...lineColumn(text, error.offset), reason: error.reason};
  }
}

class ScanError {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

function lineColumn(text: string, offset: number): {line: number; column: number} {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return {line, column: offset - (before.lastIndexOf('\n') + 1) + 1};
}

/** Read and parse a JSON file; a syntax error is CONFIG_INVALID naming the file and line. */
export function readJsonFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const where = findJsonSyntaxError(text);
    const pos = where ? ` (line ${where.line}, column ${where.column})` : '';
    throw new FlexconvError('CONFIG_INVALID', `Cannot read ${path}${pos}: ${where?.reason ?? (error as Error).message}`, {
      hints: [`fix the JSON in ${path}, or move it away`],
      cause: error,
    });
  }
}

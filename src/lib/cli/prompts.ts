/**
 * Questions on a terminal for wizards (`flexconv init`): @inquirer/prompts, imported only when a
 * question is asked (start-up and --help stay fast), drawn on stderr so stdout stays for results.
 * Ctrl-C at a question becomes a CANCELLED error; the wizard undoes what it started and says so.
 */
import {FlexconvError} from '../errors.js';

export interface Choice<V extends string> {
  name: string;
  value: V;
  description?: string;
  /** Shown but not selectable: the reason why. */
  disabled?: string;
}

/** What a wizard asks through (the real one: inquirerAsker). */
export interface Asker {
  input(message: string, opts?: {default?: string; validate?: (v: string) => true | string}): Promise<string>;
  password(message: string, opts?: {validate?: (v: string) => true | string}): Promise<string>;
  select<V extends string>(message: string, choices: Choice<V>[], opts?: {default?: V}): Promise<V>;
  confirm(message: string, opts?: {default?: boolean}): Promise<boolean>;
}

/** Ctrl-C at a prompt (inquirer's ExitPromptError / AbortPromptError). */
export function isPromptExit(error: unknown): boolean {
  const name = (error as Error)?.name;
  return name === 'ExitPromptError' || name === 'AbortPromptError';
}

const cancelled = (error: unknown): never => {
  if (isPromptExit(error)) throw new FlexconvError('CANCELLED', 'Cancelled; nothing was saved', {cause: error});
  throw error;
};

export function inquirerAsker(output: NodeJS.WritableStream = process.stderr): Asker {
  const ctx = {output};
  return {
    async input(message, opts = {}) {
      const {input} = await import('@inquirer/prompts');
      const validate = opts.validate;
      const answer = await input(
        {message, default: opts.default, validate: validate ? (s: string) => validate(s.trim()) : undefined},
        ctx,
      ).catch(cancelled);
      return answer.trim();
    },
    async password(message, opts = {}) {
      const {password} = await import('@inquirer/prompts');
      const validate = opts.validate;
      const answer = await password({message, mask: '*', validate: validate ? (s: string) => validate(s.trim()) : undefined}, ctx).catch(
        cancelled,
      );
      return answer.trim();
    },
    async select(message, choices, opts = {}) {
      const {select} = await import('@inquirer/prompts');
      return select(
        {
          message,
          choices: choices.map((c) => ({name: c.name, value: c.value, description: c.description, disabled: c.disabled ?? false})),
          default: opts.default,
          pageSize: 12,
        },
        ctx,
      ).catch(cancelled);
    },
    async confirm(message, opts = {}) {
      const {confirm} = await import('@inquirer/prompts');
      return confirm({message, default: opts.default ?? true}, ctx).catch(cancelled);
    },
  };
}

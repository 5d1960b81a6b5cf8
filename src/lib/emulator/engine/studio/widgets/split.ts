import type {StudioCondition} from '../../../../spec/studio.js';
import type {Widget} from './types.js';

const norm = (s: string) => s.trim().toLowerCase();
const list = (v: string) => v.split(',').map(norm).filter(Boolean);
const number = (s: string) => (s.trim() === '' ? NaN : Number(s));

/**
 * Studio's operators [docs: Split Based On]. Text comparisons ignore case and surrounding
 * spaces [unverified: Studio's exact folding]; `matches_any_of` takes a comma-separated list;
 * greater_than / less_than compare numbers (a non-number never matches).
 */
export function test(op: string, input: string, value: string): boolean {
  switch (op) {
    case 'equal_to':
      return norm(input) === norm(value);
    case 'not_equal_to':
      return norm(input) !== norm(value);
    case 'matches_any_of':
      return list(value).includes(norm(input));
    case 'does_not_match_any_of':
      return !list(value).includes(norm(input));
    case 'is_blank':
      return input.trim() === '';
    case 'is_not_blank':
      return input.trim() !== '';
    case 'contains':
      return norm(input).includes(norm(value));
    case 'does_not_contain':
      return !norm(input).includes(norm(value));
    case 'starts_with':
      return norm(input).startsWith(norm(value));
    case 'does_not_start_with':
      return !norm(input).startsWith(norm(value));
    case 'greater_than':
      return number(input) > number(value);
    case 'less_than':
      return number(input) < number(value);
    case 'regex':
      return new RegExp(value).test(input);
    default:
      throw new Error(`'${op}' is not a split operator the emulator knows`);
  }
}

/**
 * Split Based On: the first `match` transition all of whose conditions hold (each tests its
 * argument, default the widget's input), else `noMatch` [docs: conditions are tested in order].
 */
export const split: Widget = (env) => {
  const input = env.render(env.state.properties.input);
  for (const t of env.state.transitions) {
    if (t.event !== 'match') continue;
    const conditions = (t.conditions ?? []) as StudioCondition[];
    if (conditions.length === 0) continue;
    const holds = conditions.every((c) => {
      const arg = c.arguments?.length ? env.render(c.arguments[0]) : input;
      return test(c.type, arg, env.render(c.value ?? ''));
    });
    if (holds) return {event: 'match', transition: t, context: {input, matched: conditions.map((c) => c.friendly_name ?? c.type)}};
  }
  return {event: 'noMatch', context: {input}};
};

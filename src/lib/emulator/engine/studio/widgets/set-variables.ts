import type {Widget} from './types.js';

/** Set Variables: each {key, value} rendered into flow.variables [docs]. */
export const setVariables: Widget = (env) => {
  const flow = env.exec.context.flow as {variables: Record<string, unknown>};
  const list = Array.isArray(env.state.properties.variables) ? (env.state.properties.variables as {key: string; value?: unknown}[]) : [];
  const set: Record<string, string> = {};
  for (const v of list) {
    set[v.key] = env.render(v.value ?? '');
    // later variables may use earlier ones
    flow.variables[v.key] = set[v.key];
  }
  return {event: 'next', context: {variables: set}};
};

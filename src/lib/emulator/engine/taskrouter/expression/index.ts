export {ExpressionError, parse, parseOrderBy, parseOperand, type Node, type Operand} from './parser.js';
export {alwaysTrue, compile, compileValue, evaluate, type Env, type Predicate, type ValueFn} from './evaluate.js';

import type {TableDecl} from '../store/table.js';
import {CONVERSATIONS_TABLES} from './conversations.js';
import {FLEX_TABLES} from './flex.js';
import {STUDIO_TABLES} from './studio.js';
import {TASKROUTER_TABLES} from './taskrouter.js';

/** Every declared table of every domain (the composition root hands them to the store). */
export const TABLES: TableDecl<any>[] = [...CONVERSATIONS_TABLES, ...TASKROUTER_TABLES, ...FLEX_TABLES, ...STUDIO_TABLES];

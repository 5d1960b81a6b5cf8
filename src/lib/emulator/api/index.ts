import type {Resource} from '../router.js';
import addresses from './conversations/addresses.js';

/** Every emulated resource; the server registers them all through one router. */
export const RESOURCES: Resource[] = [addresses];

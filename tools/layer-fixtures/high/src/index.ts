// Composition may use everything below it: allowed.
import { pure } from '@pocketdock-fixtures/low';

export const composed = 'high';
export const uses = pure;

// Composition may use everything below it: allowed. (A real protocol-layer package: importing the `low` fixture
// back would make the two fixtures a cycle, which the rule reports before the layers.)
import { encodeFrame } from '@pocketdock/stream-demux';

export const composed = 'high';
export const uses = encodeFrame;

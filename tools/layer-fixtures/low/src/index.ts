// A protocol-layer project importing a composition-layer one: @nx/enforce-module-boundaries must reject this.
import { composed } from '@pocketdock-fixtures/high';

export const pure = `low uses ${composed}`;

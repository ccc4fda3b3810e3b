import type { z } from 'zod';
import { nodeRequire } from './node-require.cjs';

/** zod's `z` namespace. */
export type Zod = typeof z;

let zod: Zod | undefined;

/**
 * zod, loaded when the first options are validated rather than when the package is imported (zod alone costs
 * about as much as the rest of the package: docs/benchmarks.md, "container-sdk: import cost"). Synchronous, so
 * every validation stays where it was (a constructor or a method that threw synchronously still does). In the ESM
 * build it is a `require()` of an ES module (zod-module.js), which Node does from 20.19 and 22.12 on.
 */
export function loadZod(): Zod {
  zod ??= requireZod();
  return zod;
}

function requireZod(): Zod {
  try {
    return (nodeRequire('./zod-module.js') as { z: Zod }).z;
  } catch {
    // Node 20 cannot `require()` an ES module while asynchronous loader hooks are registered (tsx, for one:
    // ERR_VM_MODULE_LINK_FAILURE "request for 'zod' is not in cache"), nor at all before 20.19: then zod's
    // CommonJS build. It validates alike; only a ZodError `cause` is then not `instanceof` the ESM build's ZodError.
    return (nodeRequire('zod') as { z: Zod }).z;
  }
}

/** A zod schema built on first use (with {@link loadZod}), then kept. */
export interface LazySchema<S extends z.ZodType> {
  readonly schema: S;
}

/** The schema a {@link LazySchema} builds (or a plain schema itself). */
export type SchemaOf<L> = L extends LazySchema<infer S> ? S : L;

/**
 * A schema whose construction waits for its first use. `build` gets `z`, so a module that declares options
 * never imports zod's runtime.
 *
 * @example
 * const watchOptionsSchema = lazySchema((z) => z.strictObject({ recursive: z.boolean().default(false) }));
 * parseOptions(watchOptionsSchema, options, 'watch');
 */
export function lazySchema<S extends z.ZodType>(build: (zod: Zod) => S): LazySchema<S> {
  let built: S | undefined;
  return {
    get schema(): S {
      built ??= build(loadZod());
      return built;
    },
  };
}

// zod, as lazy-schema.ts loads it: `require` of this module gives, in the ESM build, the same zod instance an
// `import 'zod'` gives (Node runs it as an ES module), and zod's CommonJS build in the CommonJS one.
export { z } from 'zod';

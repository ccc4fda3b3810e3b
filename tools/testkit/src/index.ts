export { FLOW_IMAGE, TEST_IMAGE, testEngines, testLabels } from './engines.js';
export type { TestEngine } from './engines.js';
export { rawJson, rawRequest, rawStream } from './raw-engine.js';
export type { RawRequest, RawResponse } from './raw-engine.js';
export { removeLabelled, startTestContainer } from './containers.js';
export type { TestContainer } from './containers.js';
export { tempDir } from './temp-dir.js';
export { undocumentedCodes } from './docs.js';
export { thrown } from './thrown.js';

/** The package version, kept equal to package.json's by a test (no JSON read on the start path). */
export const VERSION = '0.1.0';

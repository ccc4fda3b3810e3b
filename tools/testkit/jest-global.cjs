// Jest loads globalSetup/globalTeardown with Node's own resolver, which cannot map the `./x.js` specifiers our
// TypeScript sources use (NodeNext style) to `./x.ts`. tsx's CommonJS loader can: load the real modules with it.
const { register } = require('tsx/cjs/api');

function load(file, name) {
  return async (...args) => {
    const unregister = register();
    try {
      return await require(file)[name](...args);
    } finally {
      unregister();
    }
  };
}

module.exports = {
  globalSetup: load('./src/global-setup.ts', 'globalSetup'),
  globalTeardown: load('./src/global-teardown.ts', 'globalTeardown'),
};

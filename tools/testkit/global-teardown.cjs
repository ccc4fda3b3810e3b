module.exports = require('./jest-global.cjs').globalTeardown;

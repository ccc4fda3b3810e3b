module.exports = require('./jest-global.cjs').globalSetup;

// A Node.js app that loads Python through MetaCall's port. Its manifest
// names only node: the image gets Python too, and requirements.txt for it.
require('metacall'); // the port: from here on, require() loads other languages
const { shout } = require('./lib.py');

function greet(name) {
  return `node asked python: ${shout(name)}`;
}

module.exports = { greet };

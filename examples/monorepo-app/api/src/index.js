// Loaded from api/metacall.json ("path": "src"); requires a module beside it.
const isNumber = require('is-number');
const { describe } = require('./describe');

function check(value) {
	return describe(value, isNumber(value));
}

module.exports = { check };

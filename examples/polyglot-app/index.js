const isNumber = require('is-number');
const { metacall } = require('metacall');

function is_number(value) {
	return isNumber(value);
}

function node_asks_python(value) {
	return `node asked python to double ${value}: ${metacall('double', value)}`;
}

module.exports = { is_number, node_asks_python };

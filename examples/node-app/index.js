const isNumber = require('is-number');

function check(value) {
	return `${process.env.GREETING}: ${value} is a number: ${isNumber(value)}`;
}

module.exports = { check };

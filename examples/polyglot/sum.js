function sum(left, right) {
	return left + right;
}

module.exports = { sum };

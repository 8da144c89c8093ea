module.exports = {
	describe: (value, numeric) => `${value} is a number: ${numeric}`,
};

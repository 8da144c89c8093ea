function greet(name) {
	return `hello ${name} from Node.js`;
}

function multiply(a, b) {
	return a * b;
}

async function later(value) {
	return new Promise((resolve) => setTimeout(() => resolve(`later: ${value}`), 10));
}

async function never() {
	return new Promise(() => {});
}

module.exports = { greet, multiply, later, never };

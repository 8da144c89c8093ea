const { metacall, metacall_load_from_file } = require('metacall');

metacall_load_from_file('py', ['multiply.py']);

function node_calls_python(value) {
	return `python multiply=${metacall('multiply', value, 2)}`;
}

module.exports = { node_calls_python };

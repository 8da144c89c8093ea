function shout(text) {
	return `${text.toUpperCase()}!`;
}

// OpenWhisk's /run sets __OW_ACTIVATION_ID and the rest before the call
// (Python's os.environ is a copy taken at start: it does not see them).
function activation() {
	return process.env.__OW_ACTIVATION_ID || '';
}

module.exports = { shout, activation };

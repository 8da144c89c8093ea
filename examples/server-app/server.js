// Starts an HTTP server when MetaCall loads it, as many MetaCall apps do.
const http = require('http');

const server = http.createServer((request, response) => {
	response.setHeader('Content-Type', 'application/json');
	response.end(JSON.stringify({ hello: 'world', path: request.url }));
});
server.listen(Number(process.env.PORT || 5000));

function status() {
	return `listening on ${server.address().port}`;
}

module.exports = { status };

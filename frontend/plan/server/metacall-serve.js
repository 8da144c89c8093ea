'use strict';
// Serves the app this image holds from inside the MetaCall process that
// loaded it: MetaCall FaaS's HTTP API (metacall/faas), or Apache
// OpenWhisk's action protocol. The launcher loads the app's scripts into
// metacallcli's REPL, in MetaCall's global scope, then this script, and
// keeps the REPL's input open. Node's own modules and MetaCall's Node.js
// port only: nothing is installed.
//
// Where a call runs: a Node.js function on Node's thread, through the
// port; any other language's on metacallcli's main thread, as the REPL's
// `call` and `await` run them. Core's Python port crashes when Python
// running on Node's thread calls through it (Python asking Node, as
// MetaCall apps do), and on the main thread it does not. This script
// hands those calls to the REPL's evaluator (REPLServer.eval), which
// passes them to the main thread and gives back the value.
//
// serve.json, beside this script, is written by the frontend: {mode, name,
// main, port, bodyBytes, callTimeout, scripts: [[tag, path], …]}.

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { REPLServer } = require('repl');
const { metacall, metacall_await, metacall_inspect } = require('metacall');

const config = JSON.parse(fs.readFileSync(path.join(__dirname, 'serve.json'), 'utf8'));
// Printed after each OpenWhisk activation, on stdout and stderr.
const ACTIVATION_END = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';
// What the REPL's `call` takes as a function name.
const REPL_NAME = /^[A-Za-z0-9_.]+$/;

class HttpError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

// The REPL that loaded this script: it shows its prompt once the load is
// done, and the first prompt shown after this line names it.
let repl = null;
const displayPrompt = REPLServer.prototype.displayPrompt;
REPLServer.prototype.displayPrompt = function (...args) {
	if (repl === null) {
		repl = this;
		REPLServer.prototype.displayPrompt = displayPrompt;
	}
	return displayPrompt.apply(this, args);
};

// The app's modules as MetaCall FaaS lists them: every loaded module but
// MetaCall's own (the CLI's plugins) and this script.
function appPackages() {
	const packages = {};
	for (const [tag, modules] of Object.entries(metacall_inspect())) {
		if (tag === 'ext' || !Array.isArray(modules)) {
			continue;
		}
		const own = modules.filter((module) => !/(^|\/)plugins\//.test(module.name)
			&& path.resolve('/', module.name) !== __filename);
		if (own.length > 0) {
			packages[tag] = own;
		}
	}
	return packages;
}

const packages = appPackages();
const functions = new Map();
for (const [tag, modules] of Object.entries(packages)) {
	for (const module of modules) {
		for (const func of (module.scope && module.scope.funcs) || []) {
			functions.set(func.name, { tag, async: Boolean(func.async) });
		}
	}
}
// Readiness: every script the app names is loaded.
const loaded = new Set(Object.entries(packages).flatMap(
	([tag, modules]) => modules.map((module) => `${tag} ${module.name}`)));
const missing = config.scripts.filter(([tag, script]) => !loaded.has(`${tag} ${script}`))
	.map(([tag, script]) => `${script} (${tag})`);
const deployment = {
	status: missing.length === 0 ? 'ready' : 'error',
	prefix: os.hostname(),
	suffix: config.name,
	version: 'v1',
	packages,
	ports: [],
};

function send(response, status, value) {
	const body = JSON.stringify(value === undefined ? null : value);
	response.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(body),
	});
	response.end(body);
}

function tooLarge() {
	return new HttpError(413, `the request body is over ${config.bodyBytes} bytes (app.serve-limits)`);
}

// The request's body, refused past config.bodyBytes: what is past it is
// read and dropped, so that the client, done sending, reads the refusal.
function readBody(request) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		request.on('data', (chunk) => {
			size += chunk.length;
			if (size <= config.bodyBytes) {
				chunks.push(chunk);
			}
		});
		request.on('end', () => (size > config.bodyBytes
			? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
		request.on('error', reject);
	});
}

// A JSON object: its values, in order, are the arguments (no body: none).
// JSON whatever the content type says (`curl -d` says a form); an HTML
// form when it is not JSON, as MetaCall FaaS takes forms too.
function parseObject(text, contentType) {
	if (text.trim() === '') {
		return {};
	}
	let value;
	try {
		value = JSON.parse(text);
	} catch (error) {
		if ((contentType || '').startsWith('application/x-www-form-urlencoded')) {
			return Object.fromEntries(new URLSearchParams(text));
		}
		throw new HttpError(400, `the request body is not JSON: ${error.message}`);
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new HttpError(400, 'the request body must be a JSON object: its values, in order, are the arguments');
	}
	return value;
}

// A command of the REPL, run on metacallcli's main thread: its value.
function onMainThread(command) {
	return new Promise((resolve, reject) => {
		repl.eval(command, repl.context, 'metacall-serve', (error, value) => (error ? reject(error) : resolve(value)));
	});
}

// JSON arguments as the REPL's `call` reads them: it ends the call at the
// first `)`, which JSON has only inside strings, where \u0029 stands for it.
function replArguments(args) {
	return args.map((arg) => JSON.stringify(arg).replace(/\)/g, '\\u0029')).join(', ');
}

// Calls a function of the app, awaiting its answer, within the time limit.
function invoke(name, args, awaiting) {
	const func = functions.get(name);
	if (func === undefined) {
		return Promise.reject(new HttpError(404, `the app has no function \`${name}\``));
	}
	const asynchronous = awaiting || func.async;
	const call = func.tag === 'node' || repl === null || !REPL_NAME.test(name)
		? new Promise((resolve) => resolve((asynchronous ? metacall_await : metacall)(name, ...args)))
		: onMainThread(`${asynchronous ? 'await' : 'call'} ${name}(${replArguments(args)})`);
	let timer;
	const limit = new Promise((resolve, reject) => {
		timer = setTimeout(() => reject(new HttpError(504,
			`\`${name}\` did not return within ${config.callTimeout} s (app.call-timeout)`)),
		config.callTimeout * 1000);
	});
	return Promise.race([call, limit]).then((value) => {
		if (value instanceof Error) {
			throw value; // what the function threw, as the main thread gives it back
		}
		return value;
	}).finally(() => clearTimeout(timer));
}

function readiness(response) {
	if (missing.length > 0) {
		return send(response, 503, { error: `not loaded: ${missing.join(', ')}` });
	}
	return send(response, 200, 'OK');
}

// MetaCall FaaS: /{prefix}/{suffix}/{version}/call|await/{function}; any
// prefix and suffix reach this app, whatever the container's hostname.
const CALL = /^\/[^/]+\/[^/]+\/[^/]+\/(call|await)\/([^/]+)$/;

async function faas(request, response, url) {
	if (url.pathname === '/api/readiness') {
		return readiness(response);
	}
	if (url.pathname === '/api/inspect' && request.method === 'GET') {
		return send(response, 200, [deployment]);
	}
	const route = CALL.exec(url.pathname);
	if (route === null || !['GET', 'POST'].includes(request.method)) {
		throw new HttpError(404, `no route ${request.method} ${url.pathname}`);
	}
	const args = Object.values(parseObject(await readBody(request), request.headers['content-type']));
	try {
		return send(response, 200, await invoke(decodeURIComponent(route[2]), args, route[1] === 'await'));
	} catch (error) {
		if (error instanceof HttpError) {
			throw error;
		}
		return send(response, 200, { error: String(error) }); // as MetaCall FaaS answers a throw
	}
}

// OpenWhisk: /init takes no code (the app is in the image) but its env;
// /run calls app.main with the activation's value and answers its result,
// which must be an object.
let initialized = false;

async function openwhisk(request, response, url) {
	if (url.pathname === '/api/readiness') {
		return readiness(response);
	}
	if (request.method !== 'POST' || !['/init', '/run'].includes(url.pathname)) {
		throw new HttpError(404, `no route ${request.method} ${url.pathname}`);
	}
	const message = parseObject(await readBody(request), 'application/json');
	if (url.pathname === '/init') {
		if (initialized) {
			console.error('Cannot initialize the action more than once.');
			throw new HttpError(403, 'Cannot initialize the action more than once.');
		}
		initialized = true;
		const value = message.value || {};
		for (const [key, setting] of Object.entries(value.env || {})) {
			process.env[key] = String(setting);
		}
		return send(response, 200, { ok: true });
	}
	for (const [key, value] of Object.entries(message)) {
		if (key !== 'value') {
			process.env[`__OW_${key.toUpperCase()}`] = typeof value === 'string' ? value : JSON.stringify(value);
		}
	}
	try {
		const result = await invoke(config.main, [message.value === undefined ? {} : message.value], false);
		if (result === null || typeof result !== 'object' || Array.isArray(result)) {
			throw new HttpError(502, 'The action did not return a dictionary.');
		}
		return send(response, 200, result);
	} catch (error) {
		throw error instanceof HttpError ? error : new HttpError(502, String(error));
	} finally {
		console.log(ACTIVATION_END);
		console.error(ACTIVATION_END);
	}
}

if (config.mode === 'openwhisk' && !functions.has(config.main)) {
	throw new Error(`app.main names \`${config.main}\`, which no loaded script exports; `
		+ `they export: ${[...functions.keys()].join(', ') || 'nothing'}`);
}

const routes = config.mode === 'openwhisk' ? openwhisk : faas;
const server = http.createServer((request, response) => {
	routes(request, response, new URL(request.url, 'http://localhost')).catch((error) => {
		send(response, error instanceof HttpError ? error.status : 500, { error: error.message || String(error) });
	});
});
server.listen(Number(process.env.PORT || config.port), () => {
	console.log(`metacall-serve: ${config.name} (${config.mode}) on port ${server.address().port}`
		+ (missing.length > 0 ? `; not loaded: ${missing.join(', ')}` : ''));
});

module.exports = {};

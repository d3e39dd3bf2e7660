// Runs infrastructure/site_router.js as CloudFront would: the file's code alone, in a fresh
// context, its `handler(event)` called on each event read from stdin (a JSON list); prints
// the requests it returns (a JSON list). Used by tests/infrastructure/test_site.py.
"use strict";
const fs = require("fs");
const vm = require("vm");

const code = fs.readFileSync(process.argv[2], "utf8");
const events = JSON.parse(fs.readFileSync(0, "utf8"));
const context = vm.createContext({});
vm.runInContext(code, context, { filename: process.argv[2] });
const results = events.map((event) => context.handler(JSON.parse(JSON.stringify(event))));
process.stdout.write(JSON.stringify(results));

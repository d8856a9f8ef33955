// Runs the CLI on a real pseudo-terminal through util-linux `script`, so isTTY, raw mode and prompts
// behave as they do for a person. Keys are sent only after the expected prompt text has appeared.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { BIN } from "../helpers/cli.js";
import { ROOT } from "../sealed/helpers.js";

export const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/\r/g, "");

export class Pty {
  output = "";
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number>;
  private seen = 0;

  constructor(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
    this.child = spawn("script", ["-qefc", command, "/dev/null"], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, TERM: "xterm-256color", COLUMNS: "200", ...options.env },
    });
    this.child.stdout.on("data", (c: Buffer) => (this.output += c.toString("utf8")));
    this.child.stderr.on("data", (c: Buffer) => (this.output += c.toString("utf8")));
    this.exited = new Promise((resolve) => this.child.on("close", (status) => resolve(status ?? -1)));
  }

  /** Waits until `text` appears (ANSI codes ignored) after what earlier expects consumed. */
  async expect(text: string | RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = stripAnsi(this.output).slice(this.seen);
      const match = typeof text === "string" ? { index: rest.indexOf(text), length: text.length } : (() => {
        const m = text.exec(rest);
        return { index: m ? m.index : -1, length: m ? m[0].length : 0 };
      })();
      if (match.index >= 0) {
        this.seen += match.index + match.length;
        return;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; the terminal shows:\n${stripAnsi(this.output)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  send(keys: string): void {
    this.child.stdin.write(keys);
  }

  /** The exit status of the CLI (script -e passes it on). */
  async exit(timeoutMs = 20_000): Promise<number> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }
}

export const KEY = { enter: "\r", down: "\x1b[B", up: "\x1b[A" };

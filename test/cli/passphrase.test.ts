// A passphrase-protected identity file (made by the real `age -p`) is unlocked by asking the
// terminal, through a real pseudo-terminal (`script`), never echoing the passphrase.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, cliEnv, sealboxSync } from "../helpers/cli.js";

function underTerminal(command: string, typed: string[], env: NodeJS.ProcessEnv): string {
  // answers are sent after a pause so the prompt is up; `script` gives the command a real tty
  const feed = typed.map((t) => `sleep 1; printf '%s\\r' '${t}'`).join("; ");
  const r = spawnSync("sh", ["-c", `(${feed}) | script -qec "${command}" /dev/null`], { env: { ...env, PATH: process.env.PATH }, timeout: 30_000 });
  return r.stdout.toString();
}

describe("passphrase-protected identities", () => {
  const dir = mkdtempSync(join(tmpdir(), "sealbox-pass-"));
  execFileSync("age-keygen", ["-o", join(dir, "id.txt")], { stdio: "ignore" });
  const recipient = execFileSync("age-keygen", ["-y", join(dir, "id.txt")]).toString().trim();
  underTerminal(`age -p -o ${join(dir, "id.age")} ${join(dir, "id.txt")}`, ["pa55word", "pa55word"], {});
  writeFileSync(join(dir, "s.yaml"), "k: secret-value\n");
  expect(sealboxSync(["encrypt", "-i", "--age", recipient, join(dir, "s.yaml")]).status).toBe(0);
  const env = { SOPS_AGE_KEY_FILE: join(dir, "id.age"), HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent" };
  const noTerminal = { env: cliEnv(join(dir, "id.age")), timeoutMs: 20_000, detached: true };

  it("asks the terminal and decrypts with the right passphrase, without echoing it", () => {
    const out = underTerminal(`node ${BIN} decrypt ${join(dir, "s.yaml")}`, ["pa55word"], env);
    expect(out).toContain(`Enter passphrase for ${join(dir, "id.age")}`);
    expect(out).toContain("k: secret-value");
    expect(out).not.toContain("pa55word");
  });

  it("refuses a wrong passphrase with exit 128", () => {
    const out = underTerminal(`node ${BIN} decrypt ${join(dir, "s.yaml")}; echo EXIT=\\$?`, ["nope"], env);
    expect(out).toContain("incorrect passphrase");
    expect(out).toContain("EXIT=128");
    expect(out).not.toContain("secret-value");
  });

  it("Ctrl-C at the prompt stops the command as Ctrl-C does (exit 130), printing nothing", () => {
    const feed = `sleep 1; printf '\\003'`;
    const r = spawnSync("sh", ["-c", `(${feed}) | script -qec "node ${BIN} decrypt ${join(dir, "s.yaml")}; echo EXIT=\\$?" /dev/null`], { env: { ...env, PATH: process.env.PATH }, timeout: 30_000 });
    const out = r.stdout.toString();
    expect(out).toContain("Enter passphrase for");
    expect(out).toContain("EXIT=130");
    expect(out).not.toContain("secret-value");
  });

  it("without a terminal, says the identity is locked instead of hanging", () => {
    // detached: a new session, so no controlling terminal to prompt on
    const r = sealboxSync(["decrypt", join(dir, "s.yaml")], noTerminal);
    expect(r.status).toBe(128);
    expect(r.stderr.toString()).toMatch(/passphrase/);
  });

  it("without a terminal, rotate names the locked identity it could not open", () => {
    const r = sealboxSync(["rotate", join(dir, "s.yaml")], noTerminal);
    expect(r.status).toBe(128);
    expect(r.stdout.toString() + r.stderr.toString()).toContain(`${join(dir, "id.age")} is passphrase-protected and there is no terminal to ask for its passphrase`);
  });

  it("rotate and updatekeys over a tree ask once, in every thread, and no progress redraw lands on the prompt", () => {
    const repo = join(dir, "repo");
    mkdirSync(join(repo, "enc"), { recursive: true });
    writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${recipient}\n`);
    // a key command's key beside the locked file: it opens half the files, which finish (and move the
    // progress bar) while the prompt waits for the other half's passphrase
    execFileSync("age-keygen", ["-o", join(dir, "other.txt")], { stdio: "ignore" });
    const other = execFileSync("age-keygen", ["-y", join(dir, "other.txt")]).toString().trim();
    writeFileSync(join(dir, "key-cmd.sh"), `echo run >> ${join(dir, "key-cmd.runs")}\ncat ${join(dir, "other.txt")}\n`);
    // 60 files: over the 50 from which rotate spreads the work over threads (-j 2: two, whatever the machine)
    const files = Array.from({ length: 60 }, (_, i) => join(repo, "enc", `s${i}.yaml`));
    files.forEach((file, i) => writeFileSync(file, `k: value-${i}\n`));
    const encrypt = (to: string, some: string[]): void => expect(sealboxSync(["encrypt", "-i", "--age", to, ...some]).status).toBe(0);
    encrypt(recipient, files.filter((_, i) => i % 2 === 0));
    encrypt(other, files.filter((_, i) => i % 2 === 1));
    const before = readFileSync(join(repo, "enc", "s7.yaml"), "utf8");
    const rotated = underTerminal(`cd ${repo} && SOPS_AGE_KEY_CMD='sh ${join(dir, "key-cmd.sh")}' node ${BIN} rotate -j 2 enc`, ["pa55word"], env);
    expect(rotated.match(/Enter passphrase for/g)).toHaveLength(1);
    expect(rotated).toContain("rotate: 60 files — 60 rotated");
    expect(readFileSync(join(dir, "key-cmd.runs"), "utf8")).toBe("run\n");
    expect(readFileSync(join(repo, "enc", "s7.yaml"), "utf8")).not.toBe(before);
    // the bar is drawn (stderr is the terminal) but not between the prompt and its answer's newline
    expect(rotated).toContain("rotating [");
    const prompt = `Enter passphrase for ${join(dir, "id.age")}: `;
    const afterPrompt = rotated.slice(rotated.indexOf(prompt) + prompt.length);
    expect(afterPrompt.slice(0, afterPrompt.indexOf("\n"))).not.toContain("\x1b[2K");
    writeFileSync(join(repo, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${recipient},age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n`);
    const updated = underTerminal(`cd ${repo} && node ${BIN} updatekeys -y enc`, ["pa55word"], env);
    expect(updated.match(/Enter passphrase for/g)).toHaveLength(1);
    expect(updated).toContain("60 updated");
    const decrypted = sealboxSync(["decrypt", join(repo, "enc", "s7.yaml")], { env: cliEnv(join(dir, "id.txt")) }).stdout;
    expect(decrypted.toString()).toBe("k: value-7\n");
  });
});

// edit on a terminal (a real pty made by util-linux `script`): text that does not load is not lost.
// As sops does, the error is shown and Enter opens the editor again on the same text; Ctrl-C gives up
// and leaves the file as it was. Off a terminal the edit ends at once (test/cli/sops-commands.test.ts).
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, inTerminal, sealboxSync } from "../helpers/cli.js";
import { SOPS_VECTORS } from "../helpers/fixtures.js";

const KEY_FILE = join(SOPS_VECTORS, "keys.txt");
const RECIPIENT = readFileSync(KEY_FILE, "utf8").match(/public key: (\S+)/)![1];
const PROMPT = "Press Enter to return to the editor";

/**
 * A directory with an encrypted s.yaml and an editor that writes broken YAML on its first run and
 * `fixed` on its second, recording what it was given to edit each time.
 */
function editSetup(fixed: string): { dir: string; env: NodeJS.ProcessEnv; encrypted: string } {
  const dir = mkdtempSync(join(tmpdir(), "sealbox-edit-tty-"));
  writeFileSync(join(dir, "s.yaml"), "password: hunter2\n");
  expect(sealboxSync(["encrypt", "-i", "--age", RECIPIENT, "s.yaml"], { cwd: dir }).status).toBe(0);
  const editor = join(dir, "editor.sh");
  writeFileSync(
    editor,
    [
      "#!/bin/sh",
      `runs=$(cat '${dir}/runs' 2>/dev/null || echo 0); runs=$((runs + 1)); echo $runs > '${dir}/runs'`,
      `cp "$1" '${dir}/given-'$runs`,
      `if [ $runs = 1 ]; then printf 'password: [hunter3\\n' > "$1"; else printf '${fixed}' > "$1"; fi`,
      "",
    ].join("\n"),
  );
  chmodSync(editor, 0o755);
  return { dir, env: cleanEnv({ SOPS_AGE_KEY_FILE: KEY_FILE, EDITOR: editor }), encrypted: readFileSync(join(dir, "s.yaml"), "utf8") };
}

describe.skipIf(!existsSync("/usr/bin/script"))("edit on a terminal", () => {
  it("shows where the edited text is broken and, on Enter, opens the editor again on that text", async () => {
    const { dir, env } = editSetup("password: hunter3\\n");
    const run = await inTerminal(["edit", "s.yaml"], dir, env, [{ when: PROMPT, keys: "\r" }]);
    expect(run.status).toBe(0);
    expect(run.screen).toMatch(/s\.yaml:\d+: invalid YAML/);
    expect(run.screen).not.toContain("hunter3");
    // the second run was given the broken text to fix, not the original
    expect(readFileSync(join(dir, "given-1"), "utf8")).toBe("password: hunter2\n");
    expect(readFileSync(join(dir, "given-2"), "utf8")).toBe("password: [hunter3\n");
    const decrypted = sealboxSync(["decrypt", "s.yaml"], { cwd: dir, env });
    expect(decrypted.stdout.toString()).toBe("password: hunter3\n");
  }, 60_000);

  it("Ctrl-C at the question gives up: the file is as it was and no plaintext is left behind", async () => {
    const { dir, env, encrypted } = editSetup("password: hunter3\\n");
    const temps = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith("sealbox-edit-") && !name.startsWith("sealbox-edit-tty-"));
    const before = temps();
    const run = await inTerminal(["edit", "s.yaml"], dir, env, [{ when: PROMPT, keys: "\x03" }]);
    expect(run.status).toBe(130);
    expect(readFileSync(join(dir, "s.yaml"), "utf8")).toBe(encrypted);
    expect(existsSync(join(dir, "given-2"))).toBe(false);
    expect(temps().filter((name) => !before.includes(name))).toEqual([]);
  }, 60_000);
});

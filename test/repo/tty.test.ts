// On a terminal (a real pty made by util-linux `script`): updatekeys shows the changes and asks
// (inquirer), "n" changes nothing, "y" applies with a progress bar; off a terminal there is no bar.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, inTerminal } from "../helpers/cli.js";
import { A, B, KEYS_A, ageRule, encryptedRepo, gitInit, identityFile, newIdentity, openFile, rules, sourcesFor, tempDir } from "./helpers.js";

const hasScript = existsSync("/usr/bin/script");

describe.skipIf(!hasScript)("updatekeys on a terminal", () => {
  it("asks; n changes nothing, y applies with a progress bar", async () => {
    const dir = tempDir();
    gitInit(dir);
    rules(dir, ageRule([A, B]));
    const files = await encryptedRepo(dir, 4, [A, B]);
    const c = newIdentity(tempDir("sealbox-keys-"), "c");
    rules(dir, ageRule([A, c.recipient]));
    const env = cliEnv(identityFile(tempDir("sealbox-id-"), "keys.txt", [KEYS_A]));
    const before = files.map((f) => readFileSync(join(dir, f.path)));

    const no = await inTerminal(["updatekeys", "secrets"], dir, env, [{ when: "(y/N)", keys: "n\r" }]);
    expect(no.screen).toContain(`+ age:${c.recipient}`);
    expect(no.screen).toContain("Change the recipients of 4 files?");
    expect(no.screen).toContain("nothing changed");
    files.forEach((f, i) => expect(readFileSync(join(dir, f.path)).equals(before[i])).toBe(true));

    const yes = await inTerminal(["updatekeys", "secrets"], dir, env, [{ when: "(y/N)", keys: "y\r" }]);
    expect(yes.status).toBe(0);
    expect(yes.screen).toMatch(/updating \[#+\] 4\/4/);
    expect(yes.screen).toContain("updatekeys: 4 files — 4 updated");
    for (const f of files) expect((await openFile(dir, f.path, sourcesFor([KEYS_A]))).recipients).toEqual([A, c.recipient].sort());
    // the pty really is a terminal for the child, and a pipe is not
    expect(execFileSync("script", ["-qec", `${process.execPath} -p "process.stdin.isTTY === true"`, "/dev/null"], { input: "" }).toString()).toContain("true");
  });
});

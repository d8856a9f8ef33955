// Which files a directory walk finds: inside git what git tracks or would track (ignored files left
// out), never .git, node_modules, a killed run's temp files or a symlink leading outside the root;
// outside git every regular file.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverFiles, gitTopLevel, mayBeInRepository } from "../../src/repo/discover.js";
import { git, gitInit, tempDir } from "./helpers.js";

function tree(dir: string): void {
  for (const path of ["a/one.yaml", "a/two.yaml", "a/deep/three.json", "node_modules/pkg/x.yaml", "ignored/secret.yaml", "a/.one.yaml.sealbox-tmp-0123456789ab"]) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), "x: 1\n");
  }
  const outside = tempDir("sealbox-outside-");
  writeFileSync(join(outside, "elsewhere.yaml"), "x: 1\n");
  symlinkSync(join(outside, "elsewhere.yaml"), join(dir, "a/link-out.yaml"));
  symlinkSync(outside, join(dir, "a/dir-out"));
  symlinkSync(join(dir, "a/one.yaml"), join(dir, "a/link-in.yaml"));
}

describe("file discovery", () => {
  it("inside git: tracked and untracked-but-not-ignored files, nothing ignored, outside or temporary", async () => {
    const dir = tempDir("sealbox-disc-");
    gitInit(dir);
    tree(dir);
    writeFileSync(join(dir, ".gitignore"), "ignored/\n");
    git(dir, "add", "a/one.yaml", ".gitignore");
    git(dir, "commit", "-q", "-m", "one");
    const found = await discoverFiles(["."], { cwd: dir });
    // a/link-in.yaml points at a/one.yaml, which is found itself: each file once
    expect(found.map((f) => f.path)).toEqual([".gitignore", "a/deep/three.json", "a/one.yaml", "a/two.yaml"]);
    expect(found.every((f) => !f.named)).toBe(true);
    // from a subdirectory, with paths as the user wrote them
    const sub = await discoverFiles(["a/deep", "a/one.yaml"], { cwd: dir });
    expect(sub).toEqual([
      { path: "a/deep/three.json", real: join(dir, "a/deep/three.json"), named: false },
      { path: "a/one.yaml", real: join(dir, "a/one.yaml"), named: true },
    ]);
    // a link whose target is not otherwise found is kept, with the target as the real path
    const onlyLink = await discoverFiles(["a"], { cwd: dir, accept: (p) => !p.endsWith("one.yaml") });
    expect(onlyLink.map((f) => [f.path, f.real])).toEqual([
      ["a/deep/three.json", join(dir, "a/deep/three.json")],
      ["a/two.yaml", join(dir, "a/two.yaml")],
      ["a/link-in.yaml", join(dir, "a/one.yaml")],
    ]);
  });

  it("outside git: every regular file, with the same exclusions, filtered by accept", async () => {
    const dir = tempDir("sealbox-disc-");
    tree(dir);
    const found = await discoverFiles([dir], { accept: (p) => p.endsWith(".yaml") });
    expect(found.map((f) => f.path.slice(dir.length + 1))).toEqual(["a/one.yaml", "a/two.yaml", "ignored/secret.yaml"]);
  });

  it("knows without running git where no repository can be: no .git here or above, no GIT_DIR", async () => {
    const bare = tempDir("sealbox-norepo-");
    mkdirSync(join(bare, "sub/deeper"), { recursive: true });
    expect(mayBeInRepository(join(bare, "sub/deeper"), {})).toBe(false);
    expect(mayBeInRepository(join(bare, "sub/deeper"), { GIT_DIR: "/elsewhere/.git" })).toBe(true);
    // a worktree's or submodule's .git is a file
    writeFileSync(join(bare, "sub/.git"), "gitdir: /elsewhere/.git/worktrees/x\n");
    expect(mayBeInRepository(join(bare, "sub/deeper"), {})).toBe(true);
    const repo = tempDir("sealbox-repo-");
    gitInit(repo);
    mkdirSync(join(repo, "x"));
    expect(mayBeInRepository(join(repo, "x"), {})).toBe(true);
    expect(await gitTopLevel(join(repo, "x"))).toBeDefined();
    // a symlink from outside into the work tree: git looks from the real path
    symlinkSync(join(repo, "x"), join(bare, "into-repo"));
    expect(mayBeInRepository(join(bare, "into-repo"), {})).toBe(true);
    expect(await gitTopLevel(join(bare, "sub/deeper").replace("/sub/deeper", ""))).toBeUndefined();
  });

  it("says which path does not exist", async () => {
    await expect(discoverFiles(["nope"], { cwd: tempDir() })).rejects.toThrow(/no such file or directory/);
  });
});

// The audit reads KMS recipients from metadata alone (no AWS call): ARN, role and encryption context
// are listed, and a context that differs from the rule's is drift (it would open differently).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, sealbox } from "../helpers/cli.js";
import { A, tempDir } from "../repo/helpers.js";
import type { AuditReport } from "../../src/audit/audit.js";

const ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE = "arn:aws:iam::111122223333:role/sops-billing";

function sopsFile(app: string): string {
  return [
    "password: ENC[AES256_GCM,data:AAAA,iv:AAAAAAAAAAAAAAAAAAAAAA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
    "sops:",
    "    kms:",
    `        - arn: ${ARN}`,
    `          role: ${ROLE}`,
    "          context:",
    `            app: ${app}`,
    '          created_at: "2026-01-01T00:00:00Z"',
    "          enc: AQICAHhfake",
    '          aws_profile: ""',
    "    age:",
    `        - recipient: ${A}`,
    "          enc: |",
    "            -----BEGIN AGE ENCRYPTED FILE-----",
    "            AAAA",
    "            -----END AGE ENCRYPTED FILE-----",
    '    lastmodified: "2026-11-01T00:00:00Z"',
    "    mac: ENC[AES256_GCM,data:AAAA,iv:AAAAAAAAAAAAAAAAAAAAAA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
    "    version: 3.13.2",
    "",
  ].join("\n");
}

describe("audit of KMS recipients", () => {
  it("lists ARN, role and context, and flags a context the rule does not name", async () => {
    const dir = tempDir("sealbox-audit-kms-");
    mkdirSync(join(dir, "kms"));
    writeFileSync(
      join(dir, ".sops.yaml"),
      ["creation_rules:", "  - path_regex: ^kms/", "    key_groups:", "      - kms:", `          - arn: ${ARN}`, `            role: ${ROLE}`, "            context: { app: billing }", `        age: [${A}]`, ""].join("\n"),
    );
    writeFileSync(join(dir, "kms/ok.yaml"), sopsFile("billing"));
    writeFileSync(join(dir, "kms/moved.yaml"), sopsFile("payroll"));
    const result = await sealbox(["audit", "--format", "json"], { cwd: dir, env: cliEnv(undefined, { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" }) });
    expect(result.status).toBe(80);
    const report = JSON.parse(result.stdout) as AuditReport;
    const ok = report.files.find((f) => f.path === "kms/ok.yaml")!;
    expect(ok.recipients.find((r) => r.type === "kms")).toEqual({ type: "kms", group: 0, id: `kms:${ARN}+${ROLE} context{app=billing}`, arn: ARN, role: ROLE, context: { app: "billing" } });
    expect(ok.recipients.find((r) => r.type === "age")).toMatchObject({ recipient: A });
    expect(report.findings.filter((f) => f.path === "kms/ok.yaml")).toEqual([]);
    const drift = report.findings.filter((f) => f.path === "kms/moved.yaml").map((f) => [f.ruleId, f.message]);
    expect(drift).toEqual([
      ["SBX010", expect.stringContaining("context{app=payroll}")],
      ["SBX011", expect.stringContaining("context{app=billing}")],
    ]);
  });
});

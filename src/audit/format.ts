// The audit report as people and machines read it: a table, the JSON report (schema in docs/audit.md),
// or SARIF 2.1.0 as GitHub code scanning accepts it. Every string here comes from the report, which
// holds paths, key names and recipients only: no output can carry a secret value.
import { AUDIT_RULES, type AuditRule } from "./rules.js";
import type { AuditReport, InventoryEntry } from "./audit.js";
import { argumentError, choiceError } from "../errors.js";

export type AuditFormat = "table" | "json" | "sarif";
export const AUDIT_FORMATS: AuditFormat[] = ["table", "json", "sarif"];

export function formatReport(report: AuditReport, format: AuditFormat): string {
  if (!AUDIT_FORMATS.includes(format)) throw choiceError("formatReport(): format", AUDIT_FORMATS, format);
  if (!Array.isArray(report?.files) || !Array.isArray(report?.findings)) throw argumentError("formatReport(): report", "the report audit() returned", report);
  if (format === "json") return JSON.stringify(report, null, 2) + "\n";
  if (format === "sarif") return JSON.stringify(toSarif(report), null, 2) + "\n";
  return toTable(report);
}

function who(entry: InventoryEntry): string {
  if (entry.kind === "SealedSecret") {
    const cert = entry.sealed?.cert;
    if (!cert) return "(no rule names a certificate)";
    if (cert.error) return `cert ${cert.path}: unreadable`;
    return `cert sha256:${cert.sha256!.replace(/:/g, "").slice(0, 16)}… until ${cert.notAfter!.slice(0, 10)}`;
  }
  const groups = entry.keyGroups > 1 ? `${entry.keyGroups} groups, ${entry.shamirThreshold} needed: ` : "";
  return groups + entry.recipients.map((r) => (entry.keyGroups > 1 ? `[${r.group}] ` : "") + r.id).join(", ");
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (i === r.length - 1 ? 0 : r[i].length))));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd());
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function toTable(report: AuditReport): string {
  const lines: string[] = [];
  if (report.files.length) {
    const rows = [["FILE", "KIND", "LAST ROTATED", "RECIPIENTS"]];
    for (const f of report.files) rows.push([f.path, f.kind, f.lastModified ?? "-", who(f)]);
    lines.push(...table(rows), "");
  } else lines.push("no encrypted files found", "");
  if (report.findings.length) {
    const rows = [["LEVEL", "RULE", "WHERE", "FINDING"]];
    for (const f of report.findings) rows.push([f.level, `${f.ruleId} ${f.rule}`, f.line ? `${f.path}:${f.line}` : f.path, f.message]);
    lines.push(...table(rows), "");
  }
  const s = report.summary;
  lines.push(
    `${plural(s.files, "encrypted file")} (${s.sops} sops, ${s.sealedSecret} SealedSecret); ` +
      `findings: ${plural(s.findings.error, "error")}, ${plural(s.findings.warning, "warning")}, ${plural(s.findings.note, "note")}`,
  );
  return lines.join("\n") + "\n";
}

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** GitHub code scanning ranks security alerts by this property (0–10): high, medium, low. */
const SECURITY_SEVERITY = { error: "8.0", warning: "5.0", note: "2.0" } as const;

function sarifRule(rule: AuditRule) {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.short },
    fullDescription: { text: `${rule.short}. ${rule.help}` },
    help: { text: rule.help },
    defaultConfiguration: { level: rule.level },
    properties: { tags: ["security", "secrets"], "security-severity": SECURITY_SEVERITY[rule.level], precision: "high" },
  };
}

/** SARIF 2.1.0: one run, every audit rule listed, one result per finding located in its file (and line). */
export function toSarif(report: AuditReport) {
  const rules = Object.values(AUDIT_RULES) as AuditRule[];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "sealbox",
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: rules.map(sarifRule),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: directoryUri(report.root) } },
        results: report.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId),
          level: f.level,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.path), uriBaseId: "SRCROOT" },
                ...(f.line ? { region: { startLine: f.line } } : {}),
              },
            },
          ],
        })),
      },
    ],
  };
}

function directoryUri(dir: string): string {
  const withSlash = dir.endsWith("/") ? dir : dir + "/";
  return "file://" + encodeURI(withSlash.startsWith("/") ? withSlash : "/" + withSlash);
}

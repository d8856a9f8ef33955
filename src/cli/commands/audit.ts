// `sealbox audit [PATH…]`: every encrypted file and who can decrypt it, plus findings (plaintext
// Secrets, unencrypted files a rule covers, recipient drift, sealing certificates, weak settings,
// stale data keys). Reads no key, prints no value; exit 80 when a finding reaches --fail-on.
import { Option, type Command } from "commander";
import type { AuditFormat } from "../../audit/format.js";
import type { Level } from "../../audit/rules.js";

// The library's AUDIT_FORMATS and LEVELS, written out: importing them would load the audit modules
// at every start (test/cli/startup-lists.test.ts keeps the copies equal).
const FORMATS = ["table", "json", "sarif"] as const satisfies readonly AuditFormat[];
const FAIL_ON = ["error", "warning", "note", "none"] as const satisfies readonly (Level | "none")[];

export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description("inventory of encrypted files and their recipients, with findings (leaks, drift, expiring certs, weak settings)")
    .argument("[paths...]", "files and directories (default: .; inside git: the files git tracks or would track)")
    .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("table"))
    .addOption(new Option("--fail-on <level>", "exit 80 when a finding is at this level or worse").choices(FAIL_ON).default("error"))
    .option("--max-age <days>", "flag files whose data key is older than this many days")
    .option("--cert-warning-days <days>", "flag sealing certificates that expire within this many days", "30")
    .option("--config <path>", "the rules file (default: SOPS_CONFIG, else the nearest .sops.yaml upward)")
    .option("-o, --output <file>", "write the report here instead of stdout")
    .addHelpText(
      "after",
      `
Exit status: 0, or 80 when a finding reaches --fail-on (default: error). The JSON schema and the
finding ids are described in docs/audit.md.

Examples:
  sealbox audit
  sealbox audit --format sarif -o sealbox.sarif --fail-on none   # upload to GitHub code scanning
  sealbox audit --format json --max-age 90 secrets/`,
    )
    .action(async (paths: string[], flags: AuditFlags) => {
      const { SealboxError } = await import("../../errors.js");
      const { audit, reachesThreshold } = await import("../../audit/audit.js");
      const { formatReport } = await import("../../audit/format.js");
      const { writeOutput } = await import("../../ops/file-io.js");
      const days = (text: string | undefined, flag: string): number | undefined => {
        if (text === undefined) return undefined;
        const n = Number(text);
        if (!Number.isInteger(n) || n < 0) throw new SealboxError("ConflictingParameters", `${flag} must be a whole number of days`);
        return n;
      };
      const report = await audit({ paths, configPath: flags.config, maxAgeDays: days(flags.maxAge, "--max-age"), certWarningDays: days(flags.certWarningDays, "--cert-warning-days") });
      await writeOutput(formatReport(report, flags.format), flags.output, { mode: 0o644 });
      const reached = reachesThreshold(report, flags.failOn);
      if (reached) {
        throw new SealboxError("AuditFindings", `${reached} finding${reached === 1 ? "" : "s"} at --fail-on ${flags.failOn} or worse`);
      }
    });
}

interface AuditFlags {
  format: AuditFormat;
  failOn: Level | "none";
  maxAge?: string;
  certWarningDays?: string;
  config?: string;
  output?: string;
}

// A kubeconfig user's exec credential plugin (`users[].user.exec`: aws eks get-token,
// gke-gcloud-auth-plugin, kubelogin), run as client-go runs it (plugin/pkg/client/auth/exec): the
// command with its args and env, KUBERNETES_EXEC_INFO holding the ExecCredential request, and the
// ExecCredential it prints read for a bearer token or a client certificate and key. What it returns
// is a credential: no message here ever quotes the plugin's output.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { SealboxError } from "../errors.js";
import { shownInMessage } from "../core/redact.js";

/**
 * Whether a token can go in an Authorization header. Node refuses one with a line break or another
 * control character with a TypeError of its own, which would be no clear error; the token itself is
 * never shown.
 */
export function headerSafe(token: string): boolean {
  return !/[^\t\x20-\x7e\x80-\xff]/.test(token);
}

/** The versions client-go still speaks (v1alpha1 was removed in Kubernetes 1.24). */
const API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];
const INTERACTIVE_MODES = ["Never", "IfAvailable", "Always"] as const;
/** An ExecCredential is a few KiB (a certificate and key at most); more is not one. */
const MAX_OUTPUT_BYTES = 1024 * 1024;
const INSTALL_HELP = "It looks like you are trying to use a client-go credential plugin that is not installed: see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins";

export interface ExecPlugin {
  /** The kubeconfig user it logs in, and the file that user is in: what messages name. */
  user: string;
  configPath: string;
  /** As written, resolved against the kubeconfig's directory when it has a directory in it. */
  command: string;
  args: string[];
  env: Record<string, string>;
  apiVersion: string;
  interactiveMode: (typeof INTERACTIVE_MODES)[number];
  installHint?: string;
  /** With provideClusterInfo: the cluster as the ExecCredential's spec.cluster gives it. */
  cluster?: Record<string, unknown>;
}

export interface ExecCredentials {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * The user's `exec` section, checked as client-go's clientcmd checks it before anything runs;
 * `clusterInfo` is asked for when the plugin wants it (provideClusterInfo).
 */
export function readExecPlugin(exec: unknown, user: string, configPath: string, clusterInfo: () => Record<string, unknown>): ExecPlugin {
  const refuse = (problem: string): never => {
    throw new SealboxError("ClusterUnreachable", `user "${user}" has an exec plugin whose ${problem}`, { file: configPath });
  };
  if (typeof exec !== "object" || exec === null || Array.isArray(exec)) return refuse("section is not a mapping");
  const e = exec as Record<string, unknown>;
  if (typeof e.command !== "string" || e.command === "") return refuse("command is missing");
  if (typeof e.apiVersion !== "string" || !API_VERSIONS.includes(e.apiVersion)) {
    return refuse(`apiVersion ${typeof e.apiVersion === "string" ? `"${shownInMessage(e.apiVersion, "an apiVersion")}" is not supported` : "is missing"}: client-go takes ${API_VERSIONS.join(" or ")}`);
  }
  // v1 must say whether the plugin may prompt; v1beta1 defaulted to IfAvailable (clientcmd's defaults)
  const mode = e.interactiveMode || (e.apiVersion.endsWith("/v1beta1") ? "IfAvailable" : undefined);
  if (mode === undefined) return refuse(`interactiveMode is missing (${e.apiVersion} needs Never, IfAvailable or Always)`);
  if (!INTERACTIVE_MODES.includes(mode as ExecPlugin["interactiveMode"])) return refuse(`interactiveMode is not Never, IfAvailable or Always`);
  if (e.args != null && !(Array.isArray(e.args) && e.args.every((a) => typeof a === "string"))) return refuse("args is not a list of strings");
  if (e.env != null && !Array.isArray(e.env)) return refuse("env is not a list of name/value pairs");
  const env: Record<string, string> = {};
  for (const entry of (e.env ?? []) as { name?: unknown; value?: unknown }[]) {
    if (typeof entry?.name !== "string" || entry.name === "") return refuse("env has an entry without a name");
    env[entry.name] = entry.value == null ? "" : String(entry.value);
  }
  return {
    user,
    configPath,
    // as clientcmd: a command with a directory in it is relative to the kubeconfig, a bare name is looked up on PATH
    command: e.command.includes(sep) ? resolve(dirname(resolve(configPath)), e.command) : e.command,
    args: (e.args ?? []) as string[],
    env,
    apiVersion: e.apiVersion,
    interactiveMode: mode as ExecPlugin["interactiveMode"],
    installHint: typeof e.installHint === "string" && e.installHint.trim() ? e.installHint : undefined,
    cluster: e.provideClusterInfo === true ? clusterInfo() : undefined,
  };
}

/**
 * spec.cluster as client-go fills it (rest.ConfigToExecCluster): the connection settings, the CA as
 * bytes, and the cluster's `client.authentication.k8s.io/exec` extension as `config`.
 */
export function execClusterInfo(server: string, cluster: Record<string, unknown>, ca: Buffer | undefined): Record<string, unknown> {
  const extensions = Array.isArray(cluster.extensions) ? (cluster.extensions as { name?: unknown; extension?: unknown }[]) : [];
  const info: Record<string, unknown> = {
    server,
    "tls-server-name": cluster["tls-server-name"],
    "insecure-skip-tls-verify": cluster["insecure-skip-tls-verify"] === true || undefined,
    "certificate-authority-data": ca?.length ? ca.toString("base64") : undefined,
    "proxy-url": cluster["proxy-url"],
    "disable-compression": cluster["disable-compression"] === true || undefined,
    config: extensions.find((x) => x?.name === "client.authentication.k8s.io/exec")?.extension,
  };
  return Object.fromEntries(Object.entries(info).filter(([, value]) => value !== undefined && value !== ""));
}

// One run of a plugin serves every request of this process while its credential lasts, as
// client-go's authenticator cache does: --validate over many SealedSecrets asks once. The environment
// is part of the key: a library caller's other env (another AWS_PROFILE) is another login.
const cache = new Map<string, Promise<{ credentials: ExecCredentials; expires?: number }>>();

/** The credentials the plugin gives, running it (within `ms`) unless this process has them still valid. */
export async function execCredentials(plugin: ExecPlugin, env: NodeJS.ProcessEnv, ms: number, timeoutMs: number): Promise<ExecCredentials> {
  const key = JSON.stringify([plugin, env]);
  const cached = cache.get(key);
  if (cached) {
    const got = await cached;
    if (got.expires === undefined || Date.now() < got.expires) return got.credentials;
  }
  const running = runPlugin(plugin, env, ms, timeoutMs);
  cache.set(key, running);
  try {
    return (await running).credentials;
  } catch (error) {
    cache.delete(key);
    throw error;
  }
}

async function runPlugin(plugin: ExecPlugin, env: NodeJS.ProcessEnv, ms: number, timeoutMs: number): Promise<{ credentials: ExecCredentials; expires?: number }> {
  const failed = (problem: string, details?: string[]): SealboxError =>
    new SealboxError("ClusterUnreachable", `the exec plugin of kubeconfig user "${plugin.user}" (${shownInMessage(plugin.command, "a command")}) ${problem}`, { file: plugin.configPath, details });
  const notFound = (code: "ENOENT" | "EACCES"): SealboxError => {
    // client-go's own words for a plugin that is not there, then the kubeconfig's installHint
    const hint = plugin.installHint ? plugin.installHint.trim().split("\n") : [];
    return failed(code === "ENOENT" ? "was not found" : "is not executable", [INSTALL_HELP, ...hint]);
  };
  const command = plugin.command.includes(sep) ? plugin.command : onPath(plugin.command, env.PATH);
  if (command === undefined) throw notFound("ENOENT");
  if (!isAbsolute(command)) throw failed(`was found on PATH only relative to the current directory (PATH has "." or an empty entry), and is not run from there, as client-go's Go refuses it`);
  const interactive = await isInteractive(plugin, failed);
  const request = { apiVersion: plugin.apiVersion, kind: "ExecCredential", spec: { interactive, ...(plugin.cluster ? { cluster: plugin.cluster } : {}) } };
  const { spawn } = await import("node:child_process");
  const { isatty } = await import("node:tty");
  // the plugin's stderr is the user's to read, as kubectl leaves it: its hints ("run aws sso login"), a device-code prompt.
  // Off a terminal it goes through a pipe of ours, so that a plugin given up on, or a process it started,
  // cannot hold a caller's pipe open after sealbox has exited ($(sealbox … 2>&1) would wait for it)
  const stderrPiped = !isatty(2);
  const output = await new Promise<Buffer>((resolvePromise, reject) => {
    const child = spawn(command, plugin.args, {
      env: { ...env, ...plugin.env, KUBERNETES_EXEC_INFO: JSON.stringify(request) },
      stdio: [interactive ? "inherit" : "ignore", "pipe", stderrPiped ? "pipe" : "inherit"],
    });
    child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: SealboxError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // what a leftover process still writes to stderr is passed on while sealbox runs, but does not keep it running
      (child.stderr as { unref?: () => void } | null)?.unref?.();
      if (!error) return resolvePromise(Buffer.concat(chunks));
      // not waited for: a plugin that ignores SIGTERM must not keep sealbox running
      child.kill();
      child.unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
      reject(error);
    };
    const timer = setTimeout(() => finish(failed(`did not finish within ${timeoutMs / 1000}s (--timeout)`)), ms);
    child.stdout?.on("data", (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > MAX_OUTPUT_BYTES) finish(failed(`printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB, which is no ExecCredential`));
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT" && error.code !== "EACCES") return finish(failed(`could not be started: ${error.code ?? error.message}`));
      finish(notFound(error.code));
    });
    // done once it has exited and its stdout is read, as Go's cmd.Run waits for the stdout it
    // captures only: a process the plugin left behind may hold the stderr pipe for long after
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let stdoutRead = false;
    const settle = (): void => {
      if (!exit || !stdoutRead) return;
      if (exit.signal) finish(failed(`was killed by ${exit.signal}`));
      else if (exit.code !== 0) finish(failed(`failed with exit code ${exit.code}`));
      else finish();
    };
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      settle();
    });
    child.stdout?.on("close", () => {
      stdoutRead = true;
      settle();
    });
  });
  return readExecCredential(output, plugin, failed);
}

/**
 * Where Go's exec.LookPath finds a bare command name on `path` (the first executable file), which
 * client-go runs; undefined when nowhere. A relative result (from "." or an empty entry) is returned
 * for the caller to refuse, as Go does (ErrDot): it would run what the current directory holds.
 */
function onPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    const candidate = join(dir || ".", name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there, or not executable: Go looks on
    }
  }
  return undefined;
}

/**
 * Whether the plugin may talk to the user, as client-go decides: it may when standard input is a
 * terminal (by the time the controller is asked, sealbox has read its own input and prompts no
 * more), and is then given that terminal; Always without one is an error.
 */
async function isInteractive(plugin: ExecPlugin, failed: (problem: string) => SealboxError): Promise<boolean> {
  if (plugin.interactiveMode === "Never") return false;
  const { isatty } = await import("node:tty");
  const terminal = isatty(0);
  if (plugin.interactiveMode === "Always" && !terminal) throw failed("needs a terminal (interactiveMode Always), and standard input is not one");
  return terminal;
}

function readExecCredential(output: Buffer, plugin: ExecPlugin, failed: (problem: string) => SealboxError): { credentials: ExecCredentials; expires?: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output.toString("utf8"));
  } catch {
    throw failed("printed something that is not JSON, where an ExecCredential was expected");
  }
  const credential = (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>;
  // what the plugin printed is shown only when it is one of the group's versions: a token may sit anywhere
  if (credential.kind !== "ExecCredential") throw failed("printed JSON that is not an ExecCredential (its kind is not ExecCredential)");
  if (credential.apiVersion !== plugin.apiVersion) {
    const version = typeof credential.apiVersion === "string" && /^client\.authentication\.k8s\.io\/v\w{1,20}$/.test(credential.apiVersion) ? `"${credential.apiVersion}"` : "of another group, or none";
    throw failed(`is configured for ${plugin.apiVersion}, and printed an ExecCredential of apiVersion ${version}`);
  }
  const status = credential.status;
  if (typeof status !== "object" || status === null || Array.isArray(status)) throw failed("printed an ExecCredential without a status");
  const { token, clientCertificateData: cert, clientKeyData: key, expirationTimestamp } = status as Record<string, unknown>;
  for (const [name, value] of Object.entries({ token, clientCertificateData: cert, clientKeyData: key, expirationTimestamp })) {
    if (value != null && typeof value !== "string") throw failed(`printed an ExecCredential whose status.${name} is not a string`);
  }
  if (!token && !cert && !key) throw failed("printed an ExecCredential with neither a token nor a client certificate and key");
  if (!cert !== !key) throw failed("printed an ExecCredential with a client certificate or a key, not both");
  if (token && !headerSafe(token as string)) throw failed("printed a token with characters an HTTP header cannot carry");
  const credentials: ExecCredentials = { token: (token as string) || undefined };
  if (cert && key) {
    credentials.cert = Buffer.from(cert as string);
    credentials.key = Buffer.from(key as string);
    try {
      if (!new X509Certificate(credentials.cert).checkPrivateKey(createPrivateKey(credentials.key))) throw new Error("not a pair");
    } catch {
      throw failed("printed a client certificate and key that are not a matching PEM pair");
    }
  }
  const expires = expirationTimestamp ? Date.parse(expirationTimestamp as string) : undefined;
  if (Number.isNaN(expires)) throw failed("printed an ExecCredential whose status.expirationTimestamp is not a time");
  return { credentials, expires };
}

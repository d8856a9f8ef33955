// Just enough of a Kubernetes client to talk to the controller: read the kubeconfig the way kubectl
// does (KUBECONFIG list merged, first wins; else ~/.kube/config; current or named context; CA, bearer
// token, client certificate, basic auth, exec plugins: kube-exec.ts) and GET its certificate, or POST a SealedSecret to verify or
// re-encrypt, through the API server's service proxy.
import { readFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { SealboxError, failureReason } from "../errors.js";
import { yamlProblem, yamlValueProblem } from "../formats/yaml-errors.js";
import { yamlLibrary } from "../formats/yaml-library.js";
import { looksLikeData, shownInMessage } from "../core/redact.js";
import { execClusterInfo, execCredentials, headerSafe, readExecPlugin, type ExecPlugin } from "./kube-exec.js";

export interface KubeTarget {
  contextName: string;
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  basicAuth?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** The user's exec credential plugin, which controllerCall runs for the token or certificate. */
  exec?: ExecPlugin;
}

export interface KubeconfigOptions {
  /** `--kubeconfig`; else KUBECONFIG; else ~/.kube/config. */
  kubeconfig?: string;
  /** `--context`; else current-context. */
  context?: string;
  env?: NodeJS.ProcessEnv;
}

type Named<T> = { name?: string } & T;
interface KubeconfigFile {
  path: string;
  "current-context"?: string;
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  contexts?: Named<{ context?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

export function kubeconfigPaths(options: KubeconfigOptions): string[] {
  const env = options.env ?? process.env;
  if (options.kubeconfig) return [options.kubeconfig];
  const list = (env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  return list.length ? list : [join(env.HOME || homedir(), ".kube", "config")];
}

/** The kubeconfig files, in order, and the chosen context (undefined when none is current). */
async function loadKubeContext(options: KubeconfigOptions): Promise<{ files: KubeconfigFile[]; where: string; contextName?: string; ctx?: Record<string, string> }> {
  const paths = kubeconfigPaths(options);
  const files: KubeconfigFile[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      // kubectl skips missing files of a KUBECONFIG list, but not one named explicitly.
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && paths.length > 1) continue;
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === "ENOENT" ? "no such kubeconfig (name one with --kubeconfig or KUBECONFIG)" : `cannot read the kubeconfig: ${failureReason(error)}`;
      throw new SealboxError("ClusterUnreachable", reason, { file: path, cause: error });
    }
    let parsed: unknown;
    try {
      // logLevel error: warnings would go to process.emitWarning, quoting the line (a token, say)
      parsed = yamlLibrary().parse(text, { logLevel: "error" });
    } catch (error) {
      const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      const code = (error as { code?: string }).code;
      throw new SealboxError("ClusterUnreachable", `the kubeconfig is not valid YAML: ${code ? yamlProblem({ code }) : yamlValueProblem(error)}`, { file: path, line });
    }
    files.push({ ...(parsed as object), path });
  }
  const where = paths.map((path) => shownInMessage(path)).join(delimiter);
  const contextName = options.context ?? files.find((f) => f["current-context"])?.["current-context"];
  if (!contextName) return { files, where };
  const context = findNamed(files, "contexts", contextName);
  if (!context) throw new SealboxError("ClusterUnreachable", `context "${contextName}" not found in the kubeconfig (${where})`);
  const ctx = context.entry.context ?? {};
  // kubectl refuses these too: read as empty, they would seal a Secret for "default" without a word
  if (typeof ctx !== "object" || Array.isArray(ctx)) throw new SealboxError("ClusterUnreachable", `context "${contextName}" is not a mapping`, { file: context.file.path });
  const namespace = (ctx as Record<string, unknown>).namespace;
  if (namespace != null && typeof namespace !== "string") throw new SealboxError("ClusterUnreachable", `the namespace of context "${contextName}" is not a string`, { file: context.file.path });
  return { files, where, contextName, ctx: ctx as Record<string, string> };
}

/**
 * The namespace of the chosen context, which kubectl and kubeseal give a Secret that names none:
 * "default" when the context (or a current context) names none, undefined when there is no
 * kubeconfig at all. The cluster and the user are not looked at, so a context whose credentials
 * sealbox cannot use still gives its namespace.
 */
export async function contextNamespace(options: KubeconfigOptions = {}): Promise<string | undefined> {
  let loaded: Awaited<ReturnType<typeof loadKubeContext>>;
  try {
    loaded = await loadKubeContext(options);
  } catch (error) {
    // no kubeconfig at all is no namespace; a --kubeconfig that is not there is a mistake
    if (!options.kubeconfig && error instanceof SealboxError && (error.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return undefined;
    throw error;
  }
  if (loaded.files.length === 0) return undefined;
  return loaded.ctx?.namespace || "default";
}

/** The cluster and credentials of the chosen context. */
export async function loadKubeTarget(options: KubeconfigOptions = {}): Promise<KubeTarget> {
  const { files, where, contextName, ctx } = await loadKubeContext(options);
  if (!contextName || !ctx) throw new SealboxError("ClusterUnreachable", `no current context in the kubeconfig (${where}); pass --context`);
  const cluster = findNamed(files, "clusters", ctx.cluster);
  if (!cluster) throw new SealboxError("ClusterUnreachable", `cluster "${ctx.cluster}" of context "${contextName}" not found in the kubeconfig`);
  const c = (cluster.entry.cluster ?? {}) as Record<string, unknown>;
  if (typeof c.server !== "string") throw new SealboxError("ClusterUnreachable", `cluster "${ctx.cluster}" has no server`, { file: cluster.file.path });
  const target: KubeTarget = {
    contextName,
    server: c.server,
    insecureSkipTlsVerify: c["insecure-skip-tls-verify"] === true,
    tlsServerName: typeof c["tls-server-name"] === "string" ? c["tls-server-name"] : undefined,
    ca: await material(c, "certificate-authority", cluster.file.path),
  };
  const user = ctx.user ? findNamed(files, "users", ctx.user) : undefined;
  const u = (user?.entry.user ?? {}) as Record<string, unknown>;
  if (user) {
    const provider = u["auth-provider"] as { name?: unknown } | undefined;
    if (provider) {
      const name = typeof provider.name === "string" ? `the "${shownInMessage(provider.name, "a name")}" auth-provider` : "an auth-provider";
      throw new SealboxError(
        "ClusterUnreachable",
        `user "${ctx.user}" authenticates with ${name}, which sealbox does not run (kubectl 1.26 replaced gcp and azure with the exec plugins gke-gcloud-auth-plugin and kubelogin, which sealbox runs); use a kubeconfig user with an exec plugin, a token or a client certificate (for sealing alone, kubeseal --fetch-cert > cert.pem and --cert cert.pem also do)`,
      );
    }
    target.cert = await material(u, "client-certificate", user.file.path);
    target.key = await material(u, "client-key", user.file.path);
    if (typeof u.token === "string") target.token = u.token;
    else if (typeof u.tokenFile === "string") target.token = (await readMaterial(u.tokenFile, "tokenFile", user.file.path)).toString("utf8").trim();
    if (target.token !== undefined && !headerSafe(target.token)) {
      throw new SealboxError("ClusterUnreachable", `user "${ctx.user}" has a token with characters an HTTP header cannot carry (a line break?)`, { file: user.file.path });
    }
    if (typeof u.username === "string") target.basicAuth = Buffer.from(`${u.username}:${String(u.password ?? "")}`).toString("base64");
  }
  target.server = serverUrl(target, `cluster "${ctx.cluster}" of context "${contextName}"`, cluster.file.path);
  // as client-go: a token, basic auth or client certificate of the user's own is used, not the plugin
  if (user && u.exec != null && !target.token && !target.basicAuth && !target.cert) {
    target.exec = readExecPlugin(u.exec, ctx.user, user.file.path, () => execClusterInfo(target.server, c, target.ca));
  }
  return target;
}

/**
 * The cluster's `server` as an http(s) URL, read as client-go reads it (rest.DefaultServerURL): a bare
 * host:port is https when the kubeconfig has TLS settings (a CA, a client certificate,
 * insecure-skip-tls-verify), else http; anything else that is not an http(s) URL is refused here,
 * naming the kubeconfig, rather than failing later in the request.
 */
function serverUrl(target: KubeTarget, which: string, configPath: string): string {
  const given = target.server;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given);
  const tls = Boolean(target.ca?.length || target.cert?.length || target.insecureSkipTlsVerify);
  let url: URL | undefined;
  try {
    url = new URL(hasScheme ? given : `${tls ? "https" : "http"}://${given}`);
  } catch {
    url = undefined;
  }
  // without a scheme client-go takes host[:port] only: a path there is a mistake, not an API prefix
  if (url && (url.protocol === "https:" || url.protocol === "http:") && (hasScheme || url.pathname === "/")) return hasScheme ? given : url.origin;
  throw new SealboxError(
    "ClusterUnreachable",
    `${which} has server "${shownInMessage(given, "a URL")}", which is not a URL: the server must be https://host[:port] (or http://), or a bare host:port as kubectl takes it`,
    { file: configPath },
  );
}

function findNamed<K extends "clusters" | "contexts" | "users">(files: KubeconfigFile[], kind: K, name: string | undefined) {
  if (!name) return undefined;
  for (const file of files) {
    const list: unknown = file[kind];
    if (list != null && !Array.isArray(list)) throw new SealboxError("ClusterUnreachable", `the kubeconfig's ${kind} is not a list`, { file: file.path });
    const entry = (list as Named<Record<string, unknown>>[] | undefined)?.find((e) => e?.name === name);
    if (entry) return { file, entry };
  }
  return undefined;
}

/** `X-data` (base64 inline) or `X` (a path, relative to the kubeconfig's directory). */
async function material(section: Record<string, unknown>, field: string, configPath: string): Promise<Buffer | undefined> {
  const inline = section[`${field}-data`];
  if (typeof inline === "string") return Buffer.from(inline, "base64");
  const path = section[field];
  return typeof path === "string" ? readMaterial(path, field, configPath) : undefined;
}

async function readMaterial(path: string, field: string, configPath: string): Promise<Buffer> {
  const full = isAbsolute(path) ? path : join(dirname(configPath), path);
  try {
    return await readFile(full);
  } catch (error) {
    // the field is named, not its value: inline data put under the path's name is a key or a token
    const hint = looksLikeData(path) ? ` (it looks like inline data${field === "tokenFile" ? ": put a token under token" : `: the field for that is ${field}-data`})` : "";
    throw new SealboxError("ClusterUnreachable", `cannot read the file the kubeconfig's ${field} names: ${failureReason(error)}${hint}`, { file: configPath });
  }
}

export interface FetchCertOptions extends KubeconfigOptions {
  controllerName: string;
  controllerNamespace: string;
  timeoutMs: number;
}

/**
 * The controller's current certificate (PEM bytes), via the API server's service proxy as kubeseal
 * (0.17.2 and later) does: the proxy names the Service's first port, which the controller's manifests
 * call "http" since 0.17.1 (an unnamed port is proxied as before).
 */
export async function fetchControllerCert(options: FetchCertOptions): Promise<Buffer> {
  const call = await controllerCall(options, "GET", "/v1/cert.pem");
  if (call.response.status !== 200) throw call.failure("fetching the certificate");
  return call.response.body;
}

/**
 * Asks the controller whether it can open a SealedSecret (kubeseal --validate): its /v1/verify
 * answers 200 when it can, 409 when none of its keys opens it.
 */
export async function verifyWithController(options: FetchCertOptions, sealedSecretJson: string): Promise<boolean> {
  const call = await controllerCall(options, "POST", "/v1/verify", sealedSecretJson);
  if (call.response.status === 200) return true;
  if (call.response.status === 409) return false;
  throw call.failure("asking it to verify a SealedSecret");
}

/**
 * Has the controller re-seal a SealedSecret to its newest key (kubeseal --re-encrypt): /v1/rotate
 * answers with the new SealedSecret as JSON, or fails (500, or 409 before 0.20) when it cannot open it.
 */
export async function reencryptWithController(options: FetchCertOptions, sealedSecretJson: string): Promise<unknown> {
  const call = await controllerCall(options, "POST", "/v1/rotate", sealedSecretJson);
  if (call.response.status === 500 || call.response.status === 409) {
    throw new SealboxError("SealedDecryptFailed", `${call.where} could not re-encrypt a SealedSecret (HTTP ${call.response.status}): none of its keys opens it, or it is no SealedSecret`);
  }
  if (call.response.status !== 200) throw call.failure("asking it to re-encrypt a SealedSecret");
  try {
    return JSON.parse(call.response.body.toString("utf8"));
  } catch {
    throw new SealboxError("ClusterUnreachable", `${call.where} answered /v1/rotate with something that is not JSON`);
  }
}

/**
 * One request to the controller's HTTP API through the API server's service proxy, after looking up
 * the Service for its first port's name; `failure` words an unexpected answer.
 */
async function controllerCall(options: FetchCertOptions, method: "GET" | "POST", path: string, body?: string) {
  const target = await loadKubeTarget(options);
  const deadline = Date.now() + options.timeoutMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  if (target.exec) Object.assign(target, await execCredentials(target.exec, options.env ?? process.env, left(), options.timeoutMs));
  const services = `${target.server.replace(/\/+$/, "")}/api/v1/namespaces/${encodeURIComponent(options.controllerNamespace)}/services`;
  const where = `the controller service "${options.controllerName}" in namespace "${options.controllerNamespace}"`;
  const server = shownInMessage(target.server);
  const refusedOrOdd = (status: number, what: string): SealboxError =>
    status === 401 || status === 403
      ? new SealboxError("ClusterUnreachable", `the API server at ${server} refused the request (HTTP ${status}) for context "${target.contextName}": check the credentials and RBAC for services and services/proxy`)
      : new SealboxError("ClusterUnreachable", `unexpected HTTP ${status} from ${server} while ${what}`);

  const service = await send(new URL(`${services}/${encodeURIComponent(options.controllerName)}`), target, { ms: left(), timeoutMs: options.timeoutMs });
  if (service.status === 404) throw new SealboxError("ClusterUnreachable", `${where} was not found via ${server}; check --controller-name and --controller-namespace`);
  if (service.status !== 200) throw refusedOrOdd(service.status, "looking up the controller service");
  const port = firstPortName(service.body);
  const url = new URL(`${services}/http:${encodeURIComponent(options.controllerName)}:${encodeURIComponent(port)}/proxy${path}`);
  let response = await send(url, target, { method, body, ms: left(), timeoutMs: options.timeoutMs });
  // The controller limits /v1/verify and /v1/rotate (by default 2 a second, burst 2): a file of
  // several SealedSecrets meets its 429, whose Retry-After says when to ask again.
  while (response.status === 429) {
    const wait = retryAfterMs(response.retryAfter);
    if (wait >= deadline - Date.now()) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
    response = await send(url, target, { method, body, ms: left(), timeoutMs: options.timeoutMs });
  }
  const failure = (what: string): SealboxError =>
    response.status === 404 || response.status === 503
      ? new SealboxError("ClusterUnreachable", `${where} did not answer (HTTP ${response.status}) via ${server}: is the controller running?`)
      : response.status === 429
        ? new SealboxError("ClusterUnreachable", `${where} still answered HTTP 429 (too many requests) via ${server} at the end of --timeout ${options.timeoutMs / 1000}s`)
        : refusedOrOdd(response.status, what);
  return { response, where, failure };
}

/** How long a 429's Retry-After (whole seconds, as the controller sends it) asks to wait; else a second. */
function retryAfterMs(header: string | undefined): number {
  return header !== undefined && /^\d+$/.test(header.trim()) ? Math.max(100, Number(header.trim()) * 1000) : 1000;
}

/** The name of a Service's first port ("" when it has none, or the answer is not a Service). */
function firstPortName(body: Buffer): string {
  try {
    const name = (JSON.parse(body.toString("utf8")) as { spec?: { ports?: { name?: unknown }[] } }).spec?.ports?.[0]?.name;
    return typeof name === "string" ? name : "";
  } catch {
    return "";
  }
}

interface SendOptions {
  method?: "GET" | "POST";
  /** A JSON body (POST). */
  body?: string;
  /** Give up after this long: what is left of the run's `timeoutMs`, which the message names. */
  ms: number;
  timeoutMs: number;
}

const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** One request to the API server, with the kubeconfig's credentials. */
function send(url: URL, target: KubeTarget, { method = "GET", body, ms, timeoutMs }: SendOptions): Promise<{ status: number; body: Buffer; retryAfter?: string }> {
  const headers: Record<string, string> = { Accept: "application/x-pem-file, */*" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (target.token) headers.Authorization = `Bearer ${target.token}`;
  else if (target.basicAuth) headers.Authorization = `Basic ${target.basicAuth}`;
  const secure = url.protocol === "https:";
  const request = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const fail = (reason: string, cause?: unknown) => reject(new SealboxError("ClusterUnreachable", `cannot reach the Kubernetes API at ${url.origin} (context "${target.contextName}"): ${reason}`, { cause }));
    const req = request(
      url,
      {
        method,
        headers,
        ...(secure
          ? { ca: target.ca, cert: target.cert, key: target.key, rejectUnauthorized: !target.insecureSkipTlsVerify, servername: target.tlsServerName }
          : {}),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          chunks.push(c);
          // a certificate or a SealedSecret (at most 1.5 MiB in a cluster): more is not an answer to hold in memory
          if (size > MAX_ANSWER_BYTES) {
            clearTimeout(timer);
            req.destroy();
            reject(new SealboxError("ClusterUnreachable", `the Kubernetes API at ${url.origin} (context "${target.contextName}") answered with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`));
          }
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), retryAfter: res.headers["retry-after"] });
        });
        res.on("error", (e) => fail(e.message, e));
      },
    );
    // One deadline for connect, TLS, headers and body: a server that never answers must not hang us.
    const timer = setTimeout(() => {
      req.destroy();
      fail(`no answer within ${timeoutMs / 1000}s (--timeout)`);
    }, ms);
    req.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(e.code === "ECONNREFUSED" ? "connection refused" : e.message, e);
    });
    req.end(body);
  });
}

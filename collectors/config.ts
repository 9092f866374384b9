/**
 * Where the collectors find OpenWhisk: APIHOST and AUTH from `~/.wskprops` (or the file that
 * WSK_CONFIG_FILE names), overridden by the environment (`__OW_API_HOST`, `__OW_API_KEY`,
 * `__OW_IGNORE_CERTS`, as Apache's clients read them) and then by flags. The key is kept out
 * of every message: {@link redact} removes it from any text.
 */
import { join } from "node:path";

/** How to reach one OpenWhisk API host. */
export interface Connection {
  /** Base URL with its scheme and no trailing slash, e.g. `https://10.0.0.5:443`. */
  apihost: string;
  /** `uuid:key` for basic auth. Secret: never print it. */
  auth: string;
  /** Accept a self-signed certificate (as `wsk -i`). */
  insecure: boolean;
  /** A PEM file of the API host's certificate (or its CA) to trust instead. */
  caFile?: string;
  /** Where the key came from, for messages (`--auth`, `__OW_API_KEY`, or the file). */
  authFrom: string;
  /** The API host was given without a scheme, and HTTPS assumed (as `wsk` does). */
  assumedHttps?: boolean;
}

/** Flags and environment that {@link resolveConnection} reads. */
export interface ConnectionInputs {
  apihost?: string;
  auth?: string;
  insecure?: boolean;
  ca?: string;
  /** The environment (default: none). */
  env?: Record<string, string | undefined>;
}

/** The `KEY=VALUE` lines of a wskprops file (comments and blank lines skipped). */
export function parseWskprops(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const eq = t.indexOf("=");
    if (eq > 0) out[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  return out;
}

/**
 * `host[:port]` or a URL -> a base URL, its path kept (an API gateway's prefix such as
 * `http://gateway/openwhisk`); no scheme means HTTPS, as `wsk` assumes.
 */
export function normalizeApihost(apihost: string): string {
  const withScheme = /^https?:\/\//.test(apihost) ? apihost : `https://${apihost}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new TypeError(`APIHOST "${apihost}" is not a host or URL`, { cause });
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * Resolves the connection from flags, environment and the wskprops file, or throws an error
 * that says what is missing and where it can be given (never the key itself).
 */
export async function resolveConnection(
  { apihost, auth, insecure, ca, env = {} }: ConnectionInputs,
): Promise<Connection> {
  const file = env.WSK_CONFIG_FILE ?? join(env.HOME ?? "~", ".wskprops");
  let props: Record<string, string> = {};
  try {
    props = parseWskprops(await Deno.readTextFile(file));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) || env.WSK_CONFIG_FILE) {
      throw new Error(`Cannot read the OpenWhisk config file ${file}: ${err}`, { cause: err });
    }
  }
  const host = apihost ?? env.__OW_API_HOST ?? props.APIHOST;
  if (!host) {
    throw new Error(
      `No OpenWhisk API host: give --apihost, set __OW_API_HOST, or put APIHOST in ${file}` +
        " (WSK_CONFIG_FILE names another file)",
    );
  }
  const [key, authFrom] = auth !== undefined
    ? [auth, "--auth"]
    : env.__OW_API_KEY !== undefined
    ? [env.__OW_API_KEY, "__OW_API_KEY"]
    : [props.AUTH, `AUTH in ${file}`];
  if (!key) {
    throw new Error(
      `No OpenWhisk key: give --auth, set __OW_API_KEY, or put AUTH in ${file}` +
        " (WSK_CONFIG_FILE names another file)",
    );
  }
  if (!/^[^:\s]+:\S+$/.test(key)) {
    throw new TypeError(`The OpenWhisk key from ${authFrom} is not of the form UUID:KEY`);
  }
  return {
    apihost: normalizeApihost(host),
    assumedHttps: !/^https?:\/\//.test(host),
    auth: key,
    insecure: insecure === true || env.__OW_IGNORE_CERTS?.toLowerCase() === "true",
    caFile: ca,
    authFrom,
  };
}

/**
 * `text` with the key, its secret half and its base64 form replaced by `***`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redact } from "./config.ts";
 * assert.equal(redact("Basic dTpzZWNyZXQ= failed", "u:secret"), "Basic *** failed");
 * ```
 */
export function redact(text: string, auth: string): string {
  const secret = auth.slice(auth.indexOf(":") + 1);
  let out = text;
  for (const s of [auth, btoa(auth), encodeURIComponent(auth), secret]) {
    if (s.length >= 4) out = out.split(s).join("***");
  }
  return out;
}

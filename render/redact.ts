/**
 * What a published report may say of the machine and the people that made a dataset: no secret
 * and no absolute path. Datasets are free-form (a collector's flags, a copied `~/.wskprops`, a
 * command line, a URL with a password), so names alone miss keys that appear elsewhere: a
 * secret is found by its key's name, by the text around it (`--auth KEY`, `AUTH=KEY`,
 * `user:pass@host`, `Bearer KEY`) and by shape (OpenWhisk's `uuid:64 characters`), and once
 * found it is removed wherever it occurs, in every string and key of the value. Pure: the
 * folders to make paths relative to are given by the caller.
 */

/** What a secret is replaced by. */
export const REDACTED = "[redacted]";

/** Shorter values are not searched for everywhere (they would match ordinary text). */
export const MIN_SECRET_LENGTH = 4;

/** Words of a key name that make its value secret (`authKey`, `api-key`, `__OW_API_KEY`). */
const SECRET_WORDS = new Set([
  "key",
  "auth",
  "authorization",
  "pass",
  "passwd",
  "password",
  "passphrase",
  "pwd",
  "token",
  "secret",
  "bearer",
  "credential",
  "cookie",
  "apikey",
]);

/** Parts that make a key name secret wherever they appear in it (`dbPassword`, `authtoken`). */
const SECRET_PARTS = /password|passwd|secret|credential|bearer|token|apikey|authkey|privatekey/i;

/**
 * Whether a key name (of an object, a flag, an environment variable) marks a secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSecretName } from "./redact.ts";
 * assert.ok(["__OW_API_KEY", "api-key", "authKey", "Bearer", "pass"].every(isSecretName));
 * assert.ok(!["author", "memory_mb", "keep_alive_s"].some(isSecretName));
 * ```
 */
export function isSecretName(name: string): boolean {
  if (SECRET_PARTS.test(name)) return true;
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WORDS.has(w) || SECRET_WORDS.has(w.replace(/s$/, "")));
}

/** `scheme://user:password@` (the password optional). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*)(?::([^\s/?#@]*))?@/gi;
/** An OpenWhisk key: the namespace's UUID, a colon, 64 letters and digits. */
const OPENWHISK_KEY =
  /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([A-Za-z0-9]{64})\b/gi;
/** `Basic …`, `Bearer …`, `Token …` as in an Authorization header. */
const AUTH_SCHEME = /\b(Basic|Bearer|Token)(\s+)([A-Za-z0-9._~+/=-]{4,})/g;
// The value patterns look ahead without consuming, so that one match (`http:` of a URL) does
// not hide the next (`?api_key=` in the same URL).
/** `--auth KEY`, `--auth=KEY`, `-u KEY` (wsk's short form of --auth). */
const FLAG = /(^|\s)(--?)([A-Za-z][\w-]*)(?=(=|\s+)(["']?)(?!-)([^\s"']+)\5)/g;
/** `AUTH=KEY`, `"password": "x"`, `?api_key=x`: a secret-named key, `=` or `:`, its value. */
const ASSIGNMENT =
  /(^|[\s;,&?{("'])([A-Za-z_][\w.-]*)(?=(["']?\s*[=:]\s*)(["']?)(?!(?:Basic|Bearer|Token)\s)([^\s"'&;,)}]+)\4)/g;

function isSecretFlag(name: string): boolean {
  return name === "u" || isSecretName(name);
}

/** Whether the word after `Basic`/`Bearer`/`Token` is a credential, not prose ("Basic idea"). */
function looksLikeToken(word: string): boolean {
  return word.length >= 20 || (word.length >= 8 && /[0-9+/=._-]/.test(word));
}

/** The secret values `text` shows by context or shape, added to `found`. */
function secretsIn(text: string, found: Set<string>): void {
  for (const m of text.matchAll(URL_USERINFO)) if (m[3]) found.add(m[3]);
  for (const m of text.matchAll(OPENWHISK_KEY)) found.add(m[0]).add(m[1]).add(m[2]);
  for (const m of text.matchAll(AUTH_SCHEME)) if (looksLikeToken(m[3])) found.add(m[3]);
  for (const m of text.matchAll(FLAG)) if (isSecretFlag(m[3])) found.add(m[6]);
  for (const m of text.matchAll(ASSIGNMENT)) if (isSecretName(m[2])) found.add(m[5]);
}

/** Every string at any depth of `value` (numbers are redacted in place, not searched for). */
function leaves(value: unknown, out: Set<string>): void {
  if (typeof value === "string") out.add(value);
  else if (value && typeof value === "object") {
    for (const v of Object.values(value)) leaves(v, out);
  }
}

/**
 * Every secret value in `value`: the values of secret-named keys at any depth, and what the
 * strings (and keys) show by context or shape.
 */
export function findSecrets(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === "string") secretsIn(value, found);
  else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      // A command line as an argument list: `["wsk", "--auth", KEY]`.
      const flag = typeof v === "string" && /^--?([A-Za-z][\w-]*)$/.exec(v);
      const next = value[i + 1];
      if (flag && isSecretFlag(flag[1]) && typeof next === "string") found.add(next);
      findSecrets(v, found);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      secretsIn(k, found);
      if (isSecretName(k)) leaves(v, found);
      findSecrets(v, found);
    }
  }
  for (const s of found) if (s.length < MIN_SECRET_LENGTH || s === REDACTED) found.delete(s);
  return found;
}

/** Base64 of a string's UTF-8 bytes (the form a Basic header carries). */
function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** The forms a secret takes in text: as it is, base64, URL-encoded, its part after a colon. */
function forms(secret: string): string[] {
  const colon = secret.indexOf(":");
  const out = [secret, base64(secret), encodeURIComponent(secret)];
  if (colon >= 0) out.push(secret.slice(colon + 1));
  return out.filter((s) => s.length >= MIN_SECRET_LENGTH);
}

/** Folders to hide in paths, each with what it is shown as (`.`, `~`, a dataset's name). */
export type PathRoots = [folder: string, shownAs: string][];

/** Absolute paths of two or more parts, where a path can start (not inside a URL). */
const ABSOLUTE_PATH = /(^|[\s"'=(,;[{]|file:\/\/)(\/[^\s"'/,;:)\]}]+(?:\/[^\s"'/,;:)\]}]+)+\/?)/g;

/**
 * `text` with paths under `roots` made relative to them and every other absolute path of three
 * or more parts reduced to its last two (`.../runs/ds1`).
 */
export function hidePaths(text: string, roots: PathRoots): string {
  let out = text;
  const sorted = roots.map(([f, as]) => [f.replace(/\/+$/, ""), as])
    .filter(([f]) => f !== "").sort((a, b) => b[0].length - a[0].length);
  for (const [folder, shownAs] of sorted) {
    const escaped = folder.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // The folder itself or something inside it, not a longer name that starts the same.
    out = out.replace(
      new RegExp(`${escaped}(?:(/)|(?![\\w.-]))`, "g"),
      (_, slash?: string) => slash ? (shownAs === "." ? "" : `${shownAs}/`) : shownAs,
    );
  }
  return out.replace(ABSOLUTE_PATH, (_, before: string, path: string) => {
    const parts = path.split("/").filter(Boolean);
    return before + (parts.length > 2 ? `.../${parts.slice(-2).join("/")}` : path);
  });
}

/** `text` with every known secret, and whatever its context or shape marks secret, removed. */
export function redactText(text: string, secrets: Iterable<string>, roots: PathRoots = []): string {
  const known = new Set(secrets);
  secretsIn(text, known);
  const all = [...known].filter((s) => s.length >= MIN_SECRET_LENGTH && s !== REDACTED)
    .flatMap(forms).sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of all) out = out.split(s).join(REDACTED);
  return hidePaths(out.replace(URL_USERINFO, "$1"), roots);
}

/**
 * A copy of `value` fit to publish: secret-named keys' values replaced by {@linkcode REDACTED}
 * at any depth, every secret found anywhere in it ({@linkcode findSecrets}) removed from every
 * string and key, URL credentials stripped, and paths hidden ({@linkcode hidePaths}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scrub } from "./redact.ts";
 * assert.deepEqual(
 *   scrub({ host: { apiKey: "s3cr3t-k3y" }, cmd: "wsk -i --auth s3cr3t-k3y list" }),
 *   { host: { apiKey: "[redacted]" }, cmd: "wsk -i --auth [redacted] list" },
 * );
 * ```
 */
export function scrub(
  value: unknown,
  roots: PathRoots = [],
  secrets = findSecrets(value),
): unknown {
  if (typeof value === "string") return redactText(value, secrets, roots);
  if (Array.isArray(value)) return value.map((v) => scrub(v, roots, secrets));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        redactText(k, secrets, roots),
        isSecretName(k) && v !== null ? REDACTED : scrub(v, roots, secrets),
      ]),
    );
  }
  return value;
}

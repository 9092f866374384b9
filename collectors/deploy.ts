/**
 * `deno task collect deploy`: creates or updates the benchmark actions of the thesis through
 * the REST API (`PUT .../actions/<name>?overwrite=true`), idempotently: `hello` and its copies
 * `hello1`..`helloN` (the cold-start test), `hash` (with `iterations` and `input` bound as
 * default parameters), `prime`, `net` and `sleep`, each from a source file or zip in one folder,
 * with one kind and memory limit. An action already deployed as given (same kind, memory,
 * parameters and code, the code compared by the SHA-256 kept in an annotation) is left alone,
 * so a second run changes nothing, not even a version number.
 */
import { basename, join } from "node:path";
import { checkOutput } from "../dataset/folder.ts";
import {
  type ActionInfo,
  type DatasetMeta,
  isCollected,
  newCollectedMeta,
  updateMeta,
} from "../dataset/mod.ts";
import type { OpenWhiskApi } from "./openwhisk.ts";

type Json = Record<string, unknown>;

/** The benchmark actions, in the thesis's order, and their type (Tables 1, 2). */
export const BENCHMARK_ACTIONS: Record<string, string> = {
  hello: "behaviour showcasing",
  hash: "CPU-bound",
  prime: "CPU-bound",
  net: "IO-bound (simulated)",
  sleep: "behaviour showcasing",
};

/** The kind of each known runtime's actions (as in the thesis's published records). */
export const DEFAULT_KINDS: Record<string, string> = { docker: "go:1.20", wasm: "wasm:0.1" };

/** The annotation that carries what deploy put there (file and code digest). */
export const DEPLOY_ANNOTATION = "whiskbench";

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** Folder with `<action>-wasmtime.zip`, `<action>.zip`, `<action>.go` or `<action>.<ext>`. */
  code: string;
  /** Fills the runtime of the action facts; chooses the default kind. */
  runtime: string;
  /** Kind of every action (default go:1.20 for docker, wasm:0.1 for wasm). */
  kind?: string | null;
  /** Memory limit, MB (default 256). */
  memoryMb?: number;
  /** Copies hello1..helloN (default 15). */
  copies?: number;
  /** Default parameters of hash (default 100 000 iterations, input "whiskbench"). */
  hash?: { iterations: number; input: string };
}

/** What deploy did to one action. */
export interface Deployed {
  name: string;
  file: string;
  state: "created" | "updated" | "unchanged";
  version: string | null;
}

/** The source of one action in `dir`: its path and whether it is a zip. */
export async function findSource(dir: string, action: string): Promise<string> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  } catch (err) {
    throw new Error(`Cannot read the actions folder ${dir}: ${err}`, { cause: err });
  }
  const preferred = [`${action}-wasmtime.zip`, `${action}.zip`, `${action}.go`];
  const found = preferred.find((n) => names.includes(n)) ??
    names.sort().find((n) => n.startsWith(`${action}.`));
  if (!found) {
    throw new Error(
      `No source of the ${action} action in ${dir}: expected ${preferred.join(", ")} or ` +
        `${action}.<ext>`,
    );
  }
  return join(dir, found);
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function annotation(doc: Json, key: string): unknown {
  const list = Array.isArray(doc.annotations) ? doc.annotations as Json[] : [];
  return list.find((a) => a?.key === key)?.value;
}

/** `v` as JSON text with every object's keys sorted: one text for one value. */
function canonical(v: unknown): string {
  return JSON.stringify(
    v,
    (_key, value) =>
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]))
        : value,
  );
}

/**
 * Whether two values are the same JSON whatever the order of their keys: OpenWhisk keeps an
 * annotation's value and the parameters as maps (Parameters.scala), so an implementation may
 * give them back in another order, and the same action would be deployed again.
 */
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Parameters (`[{key, value}]`) in key order, for {@link same}: their order means nothing. */
function byKey(parameters: unknown): unknown {
  return Array.isArray(parameters)
    ? parameters.toSorted((x, y) => {
      const [a, b] = [String(x?.key), String(y?.key)];
      return a < b ? -1 : a > b ? 1 : 0;
    })
    : parameters;
}

/** Deploys every benchmark action; returns what happened to each, and the action facts. */
export async function deploy(
  api: OpenWhiskApi,
  {
    code,
    runtime,
    kind,
    memoryMb = 256,
    copies = 15,
    hash = { iterations: 100_000, input: "whiskbench" },
  }: DeployOptions,
): Promise<{ actions: Deployed[]; facts: ActionInfo[] }> {
  const actions: Deployed[] = [], facts: ActionInfo[] = [];
  for (const action of Object.keys(BENCHMARK_ACTIONS)) {
    const path = await findSource(code, action);
    const zip = path.endsWith(".zip");
    const k = kind ?? DEFAULT_KINDS[runtime] ?? (path.endsWith(".go") ? "go:1.20" : null);
    if (!k) throw new Error(`--kind is needed for runtime ${runtime} (${basename(path)})`);
    const bytes = await Deno.readFile(path);
    const text = zip ? base64(bytes) : new TextDecoder().decode(bytes);
    const mark = { action, file: basename(path), sha256: await sha256(bytes) };
    const parameters = action === "hash"
      ? [{ key: "iterations", value: hash.iterations }, { key: "input", value: hash.input }]
      : [];
    // Tables 1, 2: non-blank lines of the source (0 for a zip) and the file's size (the thesis
    // gives the compiled Go binary's size; here the deployed file's).
    facts.push({
      runtime,
      file: basename(path),
      action,
      lines_of_code: zip ? 0 : text.split("\n").filter((l) => l.trim()).length,
      size_kb: Math.round(bytes.length / 1024 * 100) / 100,
      type: BENCHMARK_ACTIONS[action],
    });
    const names = action === "hello"
      ? ["hello", ...Array.from({ length: copies }, (_, i) => `hello${i + 1}`)]
      : [action];
    for (const name of names) {
      const body = {
        namespace: "_",
        name,
        exec: { kind: k, code: text, binary: zip },
        limits: { memory: memoryMb },
        parameters,
        annotations: [{ key: DEPLOY_ANNOTATION, value: mark }],
      };
      actions.push(await put(api, name, body, mark.file));
    }
  }
  return { actions, facts };
}

async function put(api: OpenWhiskApi, name: string, body: Json, file: string): Promise<Deployed> {
  const path = api.path(`actions/${encodeURIComponent(name)}`);
  const now = await api.request("GET", `${path}?code=false`, {
    signal: AbortSignal.timeout(30_000),
  });
  if (now.status !== 200 && now.status !== 404) {
    throw new Error(`Cannot read action ${name}: ${api.errorText(now)}`);
  }
  const doc = (now.status === 200 ? now.body : null) as Json | null;
  if (doc) {
    const exec = doc.exec as Json | undefined, limits = doc.limits as Json | undefined;
    const want = body.exec as Json;
    if (
      exec?.kind === want.kind && limits?.memory === (body.limits as Json).memory &&
      same(byKey(doc.parameters ?? []), byKey(body.parameters)) &&
      same(annotation(doc, DEPLOY_ANNOTATION), (body.annotations as Json[])[0].value)
    ) {
      return { name, file, state: "unchanged", version: String(doc.version ?? "") || null };
    }
  }
  const res = await api.request("PUT", `${path}?overwrite=true`, {
    body,
    signal: AbortSignal.timeout(120_000),
  });
  if (res.status !== 200) throw new Error(`Cannot deploy action ${name}: ${api.errorText(res)}`);
  const version = (res.body as Json | undefined)?.version;
  return {
    name,
    file,
    state: doc ? "updated" : "created",
    version: typeof version === "string" ? version : null,
  };
}

/**
 * Writes the action facts (Tables 1, 2) into the dataset `dir`'s dataset.json, replacing
 * those of the same runtime; creates the dataset (with no collections yet) if needed.
 */
export async function recordActionFacts(dir: string, facts: ActionInfo[]): Promise<void> {
  await checkOutput(dir, "dataset");
  await updateMeta(dir, (found) => {
    const meta: DatasetMeta = found ??
      newCollectedMeta(dir, "collected with whiskbench (deno task collect)");
    if (!isCollected(meta)) {
      throw new Error(`${dir} is a dataset not made by deno task collect: give another --out`);
    }
    const runtimes = new Set(facts.map((f) => f.runtime));
    const kept = (Array.isArray(meta.actions) ? meta.actions : [])
      .filter((a) => !runtimes.has(a.runtime));
    return { ...meta, actions: [...kept, ...facts] };
  });
}

/**
 * The JSON documents the stand-in serves, in the shapes OpenWhisk returns and the thesis's
 * raw logs hold: action documents and activation records.
 */

/** What a user stores with `PUT .../actions/<name>`. */
export interface ActionDoc {
  namespace: string;
  name: string;
  version: string;
  exec: { kind: string; binary: boolean; code?: string; main?: string };
  annotations: { key: string; value: unknown }[];
  limits: { concurrency: number; logs: number; memory: number; timeout: number };
  parameters: { key: string; value: unknown }[];
  publish: boolean;
  updated: number;
}

type Json = Record<string, unknown>;

const DEFAULT_LIMITS = { concurrency: 1, logs: 10, memory: 256, timeout: 60000 };

/** Bumps the patch number of a semantic version, as OpenWhisk does on every update. */
function bump(version: string): string {
  const [a, b, c] = version.split(".").map(Number);
  return `${a}.${b}.${(c || 0) + 1}`;
}

/** The document of an action created (or updated, over `previous`) from a PUT body. */
export function actionDoc(
  namespace: string,
  name: string,
  body: Json,
  now: number,
  previous?: ActionDoc,
): ActionDoc {
  const exec = (body.exec ?? previous?.exec) as Json | undefined;
  if (!exec || typeof exec.kind !== "string") {
    throw new TypeError("exec undefined");
  }
  const code = typeof exec.code === "string" ? exec.code : previous?.exec.code;
  return {
    namespace,
    name,
    version: previous ? bump(previous.version) : "0.0.1",
    exec: {
      kind: exec.kind,
      binary: exec.binary === true || (code !== undefined && /^UEsDB/.test(code)),
      ...(code === undefined ? {} : { code }),
      ...(typeof exec.main === "string" ? { main: exec.main } : {}),
    },
    annotations: Array.isArray(body.annotations)
      ? body.annotations as ActionDoc["annotations"]
      : previous?.annotations ?? [{ key: "exec", value: exec.kind.split(":")[0] }],
    limits: { ...DEFAULT_LIMITS, ...previous?.limits, ...(body.limits as Json | undefined) },
    parameters: Array.isArray(body.parameters)
      ? body.parameters as ActionDoc["parameters"]
      : previous?.parameters ?? [],
    publish: body.publish === true,
    updated: Math.round(now),
  };
}

/** An action document without its code, as `GET .../actions` lists it. */
export function listed(doc: ActionDoc): ActionDoc {
  const { code: _code, ...exec } = doc.exec;
  return { ...doc, exec };
}

/** A fresh 32-hex-digit activation id. */
export function activationId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** What one activation did, as the stand-in measured it. */
export interface Run {
  id: string;
  doc: ActionDoc;
  /** When the controller received the request, when the container started, when it ended. */
  received: number;
  start: number;
  end: number;
  /** Init time of a cold start; undefined for a warm start. */
  init?: number;
  /** The action's result (an object, or an array), or its error text for a failed action. */
  result: Json | Json[];
  success: boolean;
}

/**
 * The activation record of a run, in the field order of the thesis's raw logs: annotations
 * path, waitTime, kind, timeout, limits, then initTime for a cold start.
 */
export function activationRecord(run: Run): Json {
  const { doc } = run;
  const annotations: { key: string; value: unknown }[] = [
    { key: "path", value: `${doc.namespace}/${doc.name}` },
    { key: "waitTime", value: Math.round(run.start - run.received) },
    { key: "kind", value: doc.exec.kind },
    { key: "timeout", value: false },
    { key: "limits", value: doc.limits },
  ];
  if (run.init !== undefined) annotations.push({ key: "initTime", value: Math.round(run.init) });
  // An action that returns an error is OpenWhisk's "application error" (ActivationResponse);
  // "action developer error" is for one that crashes or returns no JSON object.
  const status = run.success ? "success" : "application error";
  // An action in a package is named in its record without the package, which only the path
  // annotation keeps (ContainerProxy.scala, constructWhiskActivation: name = the action's
  // name, namespace = the user's, path = namespace/package/action).
  const name = doc.name.slice(doc.name.lastIndexOf("/") + 1);
  return {
    activationId: run.id,
    annotations,
    duration: Math.round(run.end) - Math.round(run.start),
    end: Math.round(run.end),
    logs: [],
    name,
    namespace: doc.namespace,
    publish: false,
    response: {
      result: run.result,
      size: JSON.stringify(run.result).length,
      status,
      success: run.success,
    },
    start: Math.round(run.start),
    subject: doc.namespace,
    version: doc.version,
  };
}

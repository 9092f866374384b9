/**
 * A self-signed certificate for 127.0.0.1 and localhost, made with openssl into a folder, for
 * serving the stand-in over HTTPS.
 */
import { join } from "node:path";
import { $ } from "zx";

/** PEM texts of a fresh certificate and its key, and where they were written. */
export interface SelfSigned {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** Makes a one-day self-signed certificate in `dir` (created if missing). */
export async function selfSignedCert(dir: string): Promise<SelfSigned> {
  await Deno.mkdir(dir, { recursive: true });
  const certFile = join(dir, "cert.pem"), keyFile = join(dir, "key.pem");
  const args = ["-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"];
  const san = "subjectAltName=IP:127.0.0.1,DNS:localhost";
  // CA:FALSE: rustls (Deno's TLS) refuses a CA certificate as the server's own
  // (CaUsedAsEndEntity), which is what openssl's -x509 makes by default.
  const leaf = "basicConstraints=critical,CA:FALSE";
  await $({
    quiet: true,
  })`openssl req ${args} -addext ${san} -addext ${leaf} -keyout ${keyFile} -out ${certFile}`
    .timeout("30s");
  return {
    cert: await Deno.readTextFile(certFile),
    key: await Deno.readTextFile(keyFile),
    certFile,
    keyFile,
  };
}

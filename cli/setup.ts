/**
 * `deno task setup`: installs what the tests need on a fresh machine. The npm packages come
 * from the import map, pinned by deno.lock (`--frozen`: a lock mismatch is an error, not an
 * update). System packages are installed with apt-get only where missing, so a second run is
 * quick and a machine that already has them is left alone.
 */
import { $ } from "zx";

/** Debian packages the tests use, by the command each provides: Chromium opens the report and
 * the notebooks as a reader would (driven by the npm package playwright-core, which brings no
 * browser of its own); rsvg-convert makes the report's PDF figures from their SVG; openssl makes the self-signed certificate of the collectors' HTTPS test; the
 * docker sampler's test starts its own engine (dockerd, with the docker client) and imports an
 * image built from the static busybox; the notebook tests and `deno task notebooks` run
 * Jupyter's nbclient with Debian's python3 (absolute paths: a pyenv or venv python3 on PATH does
 * not have these packages); Debian's classic Jupyter Notebook server is the front end a browser
 * test runs a notebook in; jq and wrk for the bench's baselines (test/bench_test.ts); pdflatex
 * compiles the report's LaTeX tables (test/latex_compile_test.ts; texlive-latex-recommended
 * brings booktabs and, through texlive-latex-base, pdflatex, longtable and graphicx); sshd and
 * ssh for the samplers' test past one host (test/ssh_sampler_test.ts). */
export const SYSTEM_PACKAGES: Record<string, string> = {
  "/usr/bin/jupyter-execute": "python3-nbclient",
  "/usr/bin/jupyter-nbconvert": "jupyter-nbconvert",
  "/usr/bin/jupyter-notebook": "jupyter-notebook",
  chromium: "chromium",
  "rsvg-convert": "librsvg2-bin",
  openssl: "openssl",
  dockerd: "docker.io",
  docker: "docker.io",
  busybox: "busybox-static",
  jq: "jq",
  wrk: "wrk",
  "/usr/sbin/sshd": "openssh-server",
  ssh: "openssh-client",
  pdflatex: "texlive-latex-recommended",
};

async function has(command: string): Promise<boolean> {
  return (await $`command -v ${command}`.nothrow().quiet()).exitCode === 0;
}

if (import.meta.main) {
  $.verbose = false;
  const loud = $({ stdio: ["ignore", "inherit", "inherit"] });
  await loud`${Deno.execPath()} install --frozen`;
  const missing: string[] = [];
  for (const [command, pkg] of Object.entries(SYSTEM_PACKAGES)) {
    if (!(await has(command)) && !missing.includes(pkg)) missing.push(pkg);
  }
  if (missing.length > 0) {
    const root = Deno.uid?.() === 0 ? [] : ["sudo"];
    console.error(`setup: installing ${missing.join(", ")} with apt-get`);
    await loud`${root} apt-get update`;
    await loud`${root} apt-get install -y --no-install-recommends ${missing}`;
  }
  console.error("setup: ready");
}

"""Executes Jupyter notebooks under a kernel with nbclient, as `deno task notebooks` asks.

Usage: /usr/bin/python3 notebooks/_execute.py --kernel NAME [--timeout S] [--out DIR] NB...
       /usr/bin/python3 notebooks/_execute.py --clean [--out DIR] NB...

Each notebook runs in a fresh kernel started in the notebook's own folder. Outputs are written
back (or to DIR) only when every cell succeeds, normalized (see `normalize`), so the written file
depends only on the code and the data. The first failing cell stops the run with a message
naming the notebook and the cell (1-based, and its id), and exit status 1. `--clean` only
normalizes: what a JupyterLab save adds to a notebook it did not change is taken out again.

Deno's kernel (2.x) publishes outputs on a ZeroMQ PUB socket that silently drops a message
when the client lags (zmq.rs: "SHALL silently drop the message if the queue for a subscriber
is full"), and can leave the tail of a large message unsent until its next message, after the
cell's idle status. Both were seen here, at random, under load. So: flow control, where the
notebooks' display helpers (notebooks/_display.ts) wait until this client has received each
display (the count of displays received, written to the file WHISKBENCH_DISPLAY_ACK names); a
barrier after each cell (OrderedClient); and a count of the displays the notebook made,
compared with the outputs received: a notebook that lost any is executed again, up to ATTEMPTS
times.
"""
import argparse
import os
import queue
import shutil
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbclient.util import ensure_async


async def iopub_handshake(client, attempts=50):
    """Waits until the kernel's IOPub messages reach us.

    A ZeroMQ subscription takes effect some time after it is made: what the kernel publishes
    before then is lost, and a notebook's first outputs went missing that way under load. The
    kernel publishes a status message for every request, so ask for kernel_info until one of
    those status messages arrives.
    """
    kc = client.kc
    for _ in range(attempts):
        msg_id = kc.kernel_info()
        try:
            while True:
                msg = await kc.get_iopub_msg(timeout=0.2)
                if msg["parent_header"].get("msg_id") == msg_id:
                    return
        except queue.Empty:
            continue
    raise RuntimeError("the kernel's IOPub messages never arrived")


class OrderedClient(NotebookClient):
    """nbclient, waiting for the outputs that Deno's kernel publishes after its idle status.

    nbclient takes a cell's "idle" status as the end of its outputs, and ignores what comes
    after. After the idle status, send a kernel_info request as a barrier (its messages also
    push out what the kernel left unsent) and keep the cell's outputs that arrive before the
    barrier's own idle status.
    """

    barrier_timeout = 60
    ack_path = None
    displays_received = 0

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] == FLUSH_MSG_TYPE:
            return None  # published only to push out what the kernel held back
        out = super().process_message(msg, cell, cell_index)
        if msg["msg_type"] == "display_data" and self.ack_path:
            self.displays_received += 1
            acknowledge(self.ack_path, self.displays_received)
        return out

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        barrier = self.kc.kernel_info()
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=self.barrier_timeout))
            parent = msg["parent_header"].get("msg_id")
            if parent == parent_msg_id and msg["msg_type"] != "status":
                self.process_message(msg, cell, cell_index)
            elif (
                parent == barrier
                and msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
            ):
                return


# Appended to each notebook for the run, then removed: displays the number of displays the
# notebook's helpers (notebooks/_display.ts) made, or -1 where they were not used.
PROBE = """{
  const n = globalThis[Symbol.for("whiskbench.notebook.displays")] ?? -1;
  await Deno.jupyter.display({ "application/x.whiskbench-displays+json": { n } }, { raw: true });
}"""
PROBE_MIME = "application/x.whiskbench-displays+json"
ATTEMPTS = 4
# Their names in notebooks/_display.ts (DISPLAY_ACK_ENV, FLUSH_MSG_TYPE).
DISPLAY_ACK_ENV = "WHISKBENCH_DISPLAY_ACK"
FLUSH_MSG_TYPE = "whiskbench_flush"


def acknowledge(path, count):
    """Writes `count` to `path` whole (a reader never sees half a number)."""
    partial = path + ".partial"
    with open(partial, "w") as f:
        f.write(str(count))
    os.replace(partial, path)


def write_notebook(nb, target):
    """Writes `nb` to `target` whole or not at all, and never through a link: the bytes go to
    a file beside it, synced, then renamed over it. A run killed mid-write leaves the notebook
    as it was (and a `.partial` file, replaced by the next run), where writing in place left
    it cut off; a link planted at `target` is replaced, not followed to the file it names."""
    partial = target + ".partial"
    if os.path.islink(partial):
        os.unlink(partial)
    with open(partial, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, target)


def lost_outputs(nb):
    """How many displays the kernel made that did not reach us (None: cannot tell)."""
    probe = nb.cells[-1]
    found = [o for o in probe.get("outputs", []) if PROBE_MIME in o.get("data", {})]
    if not found:
        return None
    made = found[0]["data"][PROBE_MIME]["n"]
    if made < 0:
        return 0
    got = sum(
        1
        for cell in nb.cells[:-1]
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.output_type == "display_data"
    )
    return made - got


PLOTLY_MIME = "application/vnd.plotly.v1+json"
# The only metadata a committed notebook keeps; JupyterLab and other front ends add more on a
# save (cell "execution" times, "trusted", "scrolled", "jupyter" view state, ...).
NOTEBOOK_METADATA = ("kernelspec", "language_info")
CELL_METADATA = ("tags",)


def normalize(nb):
    """Takes out of `nb` what depends on who saved it rather than on the code and the data.

    - A Plotly renderer (JupyterLab's, with Python's plotly package) adds a PNG snapshot to
      every figure output it draws, which the next save writes to the file (a notebook of
      figures doubles in size); the figure is its Plotly spec, with our SVG as the fallback.
    - Notebook and cell metadata other than the kernelspec, the language and cell tags.
    - Execution counts that go on from an earlier run in the same kernel: where every code cell
      was executed, they are numbered 1, 2, ... in order, as a fresh kernel numbers them (a
      notebook only partly executed keeps its counts: that is a real difference).
    Returns the number of things taken out or renumbered.
    """
    removed = 0
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and all(isinstance(c.get("execution_count"), int) for c in code):
        for n, cell in enumerate(code, start=1):
            if cell.execution_count != n:
                cell.execution_count = n
                removed += 1
            for output in cell.get("outputs", []):
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = n
    for key in [k for k in nb.metadata if k not in NOTEBOOK_METADATA]:
        del nb.metadata[key]
        removed += 1
    for cell in nb.cells:
        for key in [k for k in cell.metadata if k not in CELL_METADATA]:
            del cell.metadata[key]
            removed += 1
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIME in data and "image/png" in data:
                del data["image/png"]
                output.get("metadata", {}).pop("image/png", None)
                removed += 1
    return removed


def clean(path, out):
    """Normalizes the notebook at `path` (written back, or to `out`); says what it took out."""
    try:
        nb = nbformat.read(path, as_version=4)
        removed = normalize(nb)
        nbformat.validate(nb)
    except Exception as err:  # unreadable, not JSON, not a valid notebook
        print(f"{path}: cannot clean, not a readable notebook: {err}", file=sys.stderr)
        return False
    target = os.path.join(out, os.path.basename(path)) if out else path
    write_notebook(nb, target)
    what = "already clean"
    if removed:
        what = f"{removed} item(s) of save churn taken out or renumbered"
    print(f"cleaned {path}" + (f" -> {target}" if out else "") + f": {what}", flush=True)
    return True


def execute(path, kernel, timeout, out):
    """Executes the notebook at `path`; re-executes it while outputs went missing."""
    for attempt in range(1, ATTEMPTS + 1):
        nb = execute_once(path, kernel, timeout)
        if nb is None:
            return False
        lost = lost_outputs(nb)
        nb.cells.pop()
        if lost == 0:
            break
        what = "the display count" if lost is None else f"{lost} output(s)"
        print(f"{path}: the kernel dropped {what}; attempt {attempt} of {ATTEMPTS}",
              file=sys.stderr, flush=True)
    else:
        print(f"{path}: outputs still missing after {ATTEMPTS} attempts", file=sys.stderr)
        return False
    normalize(nb)
    nbformat.validate(nb)
    target = os.path.join(out, os.path.basename(path)) if out else path
    write_notebook(nb, target)
    print(f"executed {path}" + (f" -> {target}" if out else ""), flush=True)
    return True


def execute_once(path, kernel, timeout):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE, id="whiskbench-display-count"))
    current = {}

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index
        current["id"] = cell.get("id", "")

    client = OrderedClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        record_timing=False,
        iopub_timeout=60,  # the barrier runs within it; under load 4 s (the default) was short
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        on_cell_start=on_cell_start,
    )
    client.on_notebook_start = lambda notebook: iopub_handshake(client)
    ack_dir = tempfile.mkdtemp(prefix="whiskbench-ack-")
    client.ack_path = os.path.join(ack_dir, "received")
    # The kernel inherits this process's environment.
    os.environ[DISPLAY_ACK_ENV] = client.ack_path
    try:
        client.execute()
    except Exception as err:  # CellExecutionError, a time-out or a dead kernel
        where = f"cell {current.get('index', -1) + 1} (id {current.get('id', '?')!r})"
        kind = "failed" if isinstance(err, CellExecutionError) else f"failed ({type(err).__name__})"
        print(f"{path}: {where} {kind}:\n{err}", file=sys.stderr)
        return None
    finally:
        del os.environ[DISPLAY_ACK_ENV]
        shutil.rmtree(ack_dir, ignore_errors=True)
    return nb


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel")
    parser.add_argument("--clean", action="store_true")
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--out")
    parser.add_argument("notebooks", nargs="+")
    args = parser.parse_args()
    if not args.clean and not args.kernel:
        parser.error("--kernel is required to execute notebooks")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    for path in args.notebooks:
        done = clean(path, args.out) if args.clean else execute(
            path, args.kernel, args.timeout, args.out
        )
        if not done:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

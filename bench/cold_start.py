"""Cold start: time from spawning a server to its first answered HTTP request, polled the same way
for every server (a raw socket, 0.5 ms between tries), so Liaison, nginx and Prism compare fairly.

  cold_start.py BINARY RUNS PATH [ARGS...]            liaison sandbox on a fixed port, PATH must answer 200
  cold_start.py --command PORT PATH RUNS -- CMD...    any server; {port} in CMD is replaced; any HTTP answer counts
"""
import os
import signal
import socket
import subprocess
import sys
import time


def measure(command, port, path, runs, want=b"HTTP/1.1 200", header=""):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n{header}Connection: close\r\n\r\n".encode())
                    if s.recv(12).startswith(want):
                        break
            except OSError:
                pass
            time.sleep(0.0005)
        samples.append((time.perf_counter() - start) * 1000)
        os.killpg(proc.pid, signal.SIGTERM)  # the whole group: some servers fork workers
        proc.wait()
        time.sleep(0.2)  # let the port go
    samples.sort()
    return samples


if sys.argv[1] == "--command":
    port, path, runs = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    command = [arg.replace("{port}", str(port)) for arg in sys.argv[sys.argv.index("--") + 1:]]
    header = os.environ.get("COLD_START_HEADER", "")
    samples = measure(command, port, path, runs, want=b"HTTP/1.", header=f"{header}\r\n" if header else "")
    label = os.path.basename(command[0])
else:
    binary, runs, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    extra = sys.argv[4:]
    port = 18700
    samples = measure([binary, "sandbox", "--listen", f"127.0.0.1:{port}", "--log-level", "error", *extra], port, path, runs)
    label = f"{path} {' '.join(extra)}"
print(f"{label}: median {samples[len(samples) // 2]:.1f} ms, min {samples[0]:.1f} ms, max {samples[-1]:.1f} ms ({len(samples)} runs)")

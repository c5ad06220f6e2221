"""Cold start: time from spawning `liaison sandbox` to its first served request."""
import socket
import subprocess
import sys
import time

binary, runs, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
extra = sys.argv[4:]
port = 18700
samples = []
for i in range(runs):
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "sandbox", "--listen", f"127.0.0.1:{port}", "--log-level", "error", *extra],
                            stdout=subprocess.DEVNULL)
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    break
        except OSError:
            time.sleep(0.0005)
    samples.append((time.perf_counter() - start) * 1000)
    proc.terminate()
    proc.wait()
samples.sort()
print(f"{path} {' '.join(extra)}: median {samples[len(samples) // 2]:.1f} ms, min {samples[0]:.1f} ms, max {samples[-1]:.1f} ms")

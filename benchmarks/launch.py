"""Run one command and report its own wall time, CPU time and peak memory: the benchmarks' launcher.

Why a separate, small process: at `execve`, Linux folds the resident set of the memory image being
replaced into the process's peak (`ru_maxrss`; fs/exec.c, `exec_mmap` calls `setmax_mm_hiwater_rss`).
A command forked straight from the benchmark, which holds parsed PDFs and grows past 170 MiB, so
reports at least the benchmark's own size as its peak: every guide and bare WeasyPrint figure at 13
and 50 posts once read 173 MiB. This launcher starts as `python -S` (about 10 MiB), so the peak it
reports is the command's own, or that of the largest process the command waited for.

Usage: `python -S launch.py RESULT COMMAND [ARG...]`. The command inherits stdin, stdout and stderr;
RESULT gets one line: wall seconds, peak resident KiB (bytes on macOS), CPU seconds (user + system,
of the command and the processes it waited for), exit status. Standard library only, nothing else.
"""

import os
import sys
import time


def main() -> None:
    """Fork, exec the command, wait for it; write the result line."""
    result, command = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    with open(result, "w", encoding="ascii") as out:
        cpu = usage.ru_utime + usage.ru_stime
        out.write(f"{seconds} {usage.ru_maxrss} {cpu} {os.waitstatus_to_exitcode(status)}\n")


if __name__ == "__main__":
    main()

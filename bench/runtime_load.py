"""A fixed burst for the runtime benchmark: N opens and M execs per second for S seconds.

    python bench/runtime_load.py OPENS_PER_S EXECS_PER_S SECONDS

Opens are of one existing file (open + close); execs are of /bin/true (fork + exec + exit).
Runs on the host or inside a container (it needs only python3)."""

import os
import sys
import time


def main() -> None:
    opens, execs, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    path = "/etc/hostname" if os.path.exists("/etc/hostname") else "/etc/passwd"
    tick = 0.01
    per_tick_opens, per_tick_execs = opens * tick, execs * tick
    done_opens = done_execs = 0
    start = time.monotonic()
    while (now := time.monotonic()) - start < seconds:
        due_opens = int((now - start) / tick * per_tick_opens)
        due_execs = int((now - start) / tick * per_tick_execs)
        while done_opens < due_opens:
            os.close(os.open(path, os.O_RDONLY))
            done_opens += 1
        while done_execs < due_execs:
            pid = os.fork()
            if pid == 0:
                try:
                    os.execv("/bin/true", ["true"])
                finally:
                    os._exit(127)
            os.waitpid(pid, 0)
            done_execs += 1
        time.sleep(tick / 2)
    print(f"{done_opens} opens, {done_execs} execs in {time.monotonic() - start:.1f}s", flush=True)


if __name__ == "__main__":
    main()

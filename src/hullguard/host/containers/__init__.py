"""Running containers: the Docker Engine API (Docker or Podman), CIS Docker section 5, cgroup limits."""

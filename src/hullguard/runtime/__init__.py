"""Runtime security: kernel event sources, container attribution, Falco rules on live events,
drift against the image, learned seccomp and network profiles."""

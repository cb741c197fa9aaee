"""NetworkPolicy reachability between workloads, IP ranges and the ingress controller."""

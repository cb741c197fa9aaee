"""The eBPF event source: a CO-RE object built with clang, loaded through libbpf."""

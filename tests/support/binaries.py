"""Build real executables for the binary analyzers, cached like the test images.

A Go program is built by Debian's golang-go (offline: vendored modules, GOPROXY=off) with a
plain dependency, a module replaced by another module, and one replaced by a local folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.images import Layer, Recipe, _locked, cache_root, copy_rootfs

GO_MOD = """module example.com/hello

go 1.19

require (
\texample.com/greet v1.2.3
\texample.com/old v1.0.0
\texample.com/local v0.0.0-00010101000000-000000000000
)

replace example.com/old v1.0.0 => example.com/new v1.1.0

replace example.com/local => ./local
"""
MODULES_TXT = """# example.com/greet v1.2.3
## explicit
example.com/greet
# example.com/old v1.0.0 => example.com/new v1.1.0
## explicit
example.com/old
# example.com/local v0.0.0-00010101000000-000000000000 => ./local
## explicit
example.com/local
# example.com/local => ./local
"""
# Stamped the usual way, and not -trimpath, so that Go records the -ldflags setting.
GO_FLAGS = ("-ldflags=-s -X main.version=v1.4.2",)
FILES = {
    "go.mod": GO_MOD,
    "vendor/modules.txt": MODULES_TXT,
    "main.go": 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n\t"example.com/local"\n'
    '\t"example.com/old"\n)\n\nvar version = "dev"\n\n'
    "func main() { fmt.Println(greet.Hello(), old.Name, local.Name, version) }\n",
    "vendor/example.com/greet/greet.go": 'package greet\n\nfunc Hello() string { return "hello" }\n',
    "vendor/example.com/old/old.go": 'package old\n\nconst Name = "new"\n',
    "vendor/example.com/local/local.go": 'package local\n\nconst Name = "local"\n',
    "local/go.mod": "module example.com/local\n\ngo 1.19\n",
    "local/local.go": 'package local\n\nconst Name = "local"\n',
}


def go_available() -> bool:
    return shutil.which("go") is not None


def go_version() -> str:
    return subprocess.run(
        ["go", "env", "GOVERSION"], capture_output=True, text=True, check=True
    ).stdout.strip()


def go_hello() -> Path:
    """A stripped (-s) Go module binary stamped with version v1.4.2, built once per Go version and source."""
    key = hashlib.sha256(repr((sorted(FILES.items()), GO_FLAGS, go_version())).encode()).hexdigest()[:16]
    out = cache_root() / f"go-hello-{key}"
    binary = out / "hello"
    with _locked(out):
        if binary.is_file():
            return binary
        with tempfile.TemporaryDirectory(prefix="hg-go-") as tmp:
            src = Path(tmp) / "src"
            for name, text in FILES.items():
                (src / name).parent.mkdir(parents=True, exist_ok=True)
                (src / name).write_text(text)
            env = {
                **os.environ,
                "GOFLAGS": "-mod=vendor",
                "GOPROXY": "off",
                "CGO_ENABLED": "0",
                "GOCACHE": f"{tmp}/cache",
                "GOPATH": f"{tmp}/gopath",
                "HOME": tmp,
            }
            result = subprocess.run(
                ["go", "build", *GO_FLAGS, "-o", f"{tmp}/hello", "."],
                cwd=src,
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise RuntimeError(f"go build failed:\n{result.stderr[-3000:]}")
            out.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f"{tmp}/hello", binary)
    return binary


def rustc_available() -> bool:
    return shutil.which("rustc") is not None


def rust_auditable(audit_json: str) -> Path:
    """A real rustc-built executable carrying `audit_json`, zlib-compressed, in `.dep-v0`,
    the section cargo-auditable writes (crates.io is out of reach here, so the section is
    placed with `#[link_section]` instead of cargo-auditable's linker object)."""
    import zlib

    blob = zlib.compress(audit_json.encode(), 9)
    source = (
        f'#[used]\n#[link_section = ".dep-v0"]\n'
        f'static AUDITABLE_VERSION_INFO: [u8; {len(blob)}] = *include_bytes!("audit.zlib");\n\n'
        'fn main() {\n    println!("hello");\n}\n'
    )
    version = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=True).stdout
    key = hashlib.sha256(repr((source, audit_json, version)).encode()).hexdigest()[:16]
    out = cache_root() / f"rust-auditable-{key}"
    binary = out / "hello"
    with _locked(out):
        if binary.is_file():
            return binary
        with tempfile.TemporaryDirectory(prefix="hg-rs-") as tmp:
            (Path(tmp) / "audit.zlib").write_bytes(blob)
            (Path(tmp) / "main.rs").write_text(source)
            result = subprocess.run(
                ["rustc", "-O", "-C", "strip=symbols", "main.rs", "-o", "hello"],
                cwd=tmp,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise RuntimeError(f"rustc failed:\n{result.stderr[-3000:]}")
            out.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(tmp) / "hello", binary)
    return binary


RUST_AUDIT = (
    '{"format":1,"packages":['
    '{"name":"hello","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},'
    '{"name":"serde","version":"1.0.190","source":"crates.io","dependencies":[2]},'
    '{"name":"libc","version":"0.2.149","source":"crates.io"},'
    '{"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"}]}'
)


def binaries_recipe() -> Recipe:
    """The bookworm base plus a layer of executables: a Go module binary, a rustc binary with
    cargo-auditable data, and Debian's own (GOPATH-built) umoci."""

    def populate(dest: Path) -> None:
        bin_dir = dest / "usr/local/bin"
        bin_dir.mkdir(parents=True)
        shutil.copy2(go_hello(), bin_dir / "hello-go")
        shutil.copy2(rust_auditable(RUST_AUDIT), bin_dir / "hello-rust")
        shutil.copy2("/usr/bin/umoci", bin_dir / "umoci")

    return Recipe(
        name="bookworm-binaries",
        layers=(
            Layer(created_by="debootstrap --variant=minbase bookworm", populate=copy_rootfs, key="bookworm"),
            Layer(
                created_by="COPY hello-go hello-rust umoci /usr/local/bin/",
                populate=populate,
                key=repr((sorted(FILES.items()), GO_FLAGS, RUST_AUDIT)),
            ),
        ),
    )

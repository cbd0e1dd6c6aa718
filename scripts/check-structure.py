#!/usr/bin/env python3
"""The workspace's structure, checked: no import cycle between modules, each module's `May use:` line
true, nothing in a crate reaching its siblings through the crate root's re-exports, and no source file over
600 lines outside tests.

An import is a `use crate::…`, `use super::…` or an inline `crate::a::b` path; it points at the deepest
module the path names. Declaring a child module (`mod x;`) is not an import. A module file (`browse.rs`)
that opens with a line `//! May use: `foundation`.` may import only from itself and the modules it names.

Usage: scripts/check-structure.py            (from the repository root; exit 1 on any finding)
"""

import pathlib
import re
import sys

MAX_LINES = 600
SOURCE_ROOTS = ["shared", "functions", "bench"]
USE = re.compile(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?use\s+((?:crate|super)::[^;]+);", re.M)
INLINE = re.compile(r"(?<![\w:])crate::((?:\w+::)*\w+)")
MAY_USE = re.compile(r"^//! May use: (.*)$", re.M)


def module_path(src: pathlib.Path, file: pathlib.Path) -> tuple:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts in (["lib"], ["main"]):
        return ()
    if parts[-1] == "mod":
        parts.pop()
    return tuple(parts)


def expand(path: str) -> list:
    """`a::{b, c::{d, e}}` → [`a::b`, `a::c::d`, `a::c::e`] (an `as` kept on its path)."""
    path = " ".join(path.split())
    start = path.find("{")
    if start < 0:
        return [path.strip()]
    head, body = path[:start], path[start + 1 : path.rindex("}")]
    parts, depth, current = [], 0, ""
    for ch in body:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for part in parts if part.strip() for p in expand(head + part.strip())]


def resolve(modules: set, here: tuple, path: str):
    """The deepest module `path` (from `here`) names, or None for the crate root itself."""
    segments = path.split("::")
    if segments[0] == "crate":
        base, segments = (), segments[1:]
    else:
        base = here
        while segments and segments[0] == "super":
            base, segments = base[:-1], segments[1:]
    target = base
    for segment in segments:
        if segment == "self":
            break
        if target + (segment,) in modules:
            target = target + (segment,)
        else:
            break
    return target


def check_crate(src: pathlib.Path, findings: list) -> None:
    files = {module_path(src, f): f for f in src.rglob("*.rs")}
    modules = set(files)
    root = files.get(())
    reexported = {}
    if root:
        for used in re.findall(r"^pub use\s+([^;]+);", root.read_text(), re.M):
            for path in expand(used):
                source = path.split(" as ")[0].strip()
                name = path.split(" as ")[-1].split("::")[-1].strip()
                if not source.startswith(("crate::", "super::")):
                    source = "crate::" + source
                reexported[name] = resolve(modules, (), source)
    edges, rules = {}, {}
    for here, file in files.items():
        text = file.read_text()
        code = re.sub(r"//.*", "", text)
        paths = [p.split(" as ")[0] for used in USE.findall(code) for p in expand(used)]
        paths += ["crate::" + p for p in INLINE.findall(USE.sub("", code))]
        for path in paths:
            target = resolve(modules, here, path)
            name = path.split("::")[1] if path.startswith("crate::") else ""
            if target == () and here != () and name in reexported:
                findings.append(f"{file}: `{path}` goes through the crate root's re-export `{name}`")
                target = reexported[name]
            if target and target != here and here[: len(target)] != target:
                edges.setdefault(here, set()).add(target)
        rule = MAY_USE.search(text)
        if rule and here:
            rules[here] = rule.group(1).strip()
    # Checked once every file's imports are known.
    for here, rule in rules.items():
        allowed = {tuple(m.strip("` .").split("::")) for m in rule.split(",")}
        allowed = {a for a in allowed if a != ("nothing else in this crate",)}
        for source, targets in edges.items():
            if source[: len(here)] != here:
                continue
            for target in targets:
                if target[: len(here)] == here:
                    continue
                if not any(target[: len(a)] == a for a in allowed):
                    findings.append(
                        f"{files[source]}: uses `{'::'.join(target)}`, but `{'::'.join(here)}` "
                        f"may use only {rule}"
                    )
    # Cycles between modules, at every depth: a module's imports include its descendants' imports.
    for depth in range(1, max(len(m) for m in modules) + 1):
        graph = {}
        for source, targets in edges.items():
            for target in targets:
                a, b = source[:depth], target[:depth]
                if a != b and a[: len(b)] != b and b[: len(a)] != a:
                    graph.setdefault(a, set()).add(b)
        for cycle in cycles(graph):
            shown = " → ".join("::".join(m) for m in cycle + [cycle[0]])
            findings.append(f"{src}: import cycle {shown}")


def cycles(graph: dict) -> list:
    found, seen = [], set()
    for start in sorted(graph):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    key = frozenset(path)
                    if key not in seen:
                        seen.add(key)
                        found.append(path)
                elif nxt not in path and nxt > start:
                    stack.append((nxt, path + [nxt]))
    return found


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    findings = []
    crates = sorted(p.parent for r in SOURCE_ROOTS for p in (root / r).rglob("Cargo.toml"))
    for crate in crates:
        src = crate / "src"
        if src.is_dir():
            check_crate(src, findings)
        for file in sorted(crate.rglob("*.rs")):
            if "tests" in file.relative_to(crate).parts:
                continue
            lines = file.read_text().count("\n")
            if lines > MAX_LINES:
                findings.append(f"{file.relative_to(root)}: {lines} lines (at most {MAX_LINES})")
    findings = list(dict.fromkeys(findings))
    for finding in findings:
        print(finding.replace(str(root) + "/", ""))
    print(f"{len(crates)} crates checked: {len(findings)} finding(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

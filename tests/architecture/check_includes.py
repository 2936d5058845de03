#!/usr/bin/env python3
"""Fails when a source file includes a part of Slipway that the table in docs/architecture.md
does not let it use. The table is the source of truth: its first column names a part by folder,
its last column lists the parts that one may use.

    check_includes.py SOURCE_DIR
"""
import pathlib
import re
import sys

# The include prefix a part's public headers live under, and the folder the part is in.
PARTS = {
    "common": "common",
    "pipelines": "pipelines",
    "insight": "insight",
    "protocol": "protocol",
    "store": "orchestrator/store",
    "scheduler": "orchestrator/scheduler",
    "webhooks": "orchestrator/webhooks",
    "planner": "orchestrator/planner",
    "http": "orchestrator/http",
    "core": "orchestrator/core",
    "api": "orchestrator/api",
    "agent": "agents",
    "cli": "cli",
}
FOLDER_TO_PREFIX = {folder: prefix for prefix, folder in PARTS.items()}
# A table cell names a part by its short name; agents and cli appear by folder.
NAME_ALIASES = {"agents": "agent"}


def read_table(doc):
    """{part prefix: set of prefixes it may use} from the doc's parts table."""
    allowed = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        folder = cells[0].strip("`").rstrip("/")
        prefix = FOLDER_TO_PREFIX.get(folder)
        if prefix is None:
            continue
        # Asides in parentheses and `code` name files and types, not parts ("inside `http_client.cc`
        # only" must not let a part use http).
        words = set(re.findall(r"[a-z]+", re.sub(r"\([^)]*\)|`[^`]*`", " ", cells[-1])))
        uses = {NAME_ALIASES.get(w, w) for w in words} & set(PARTS)
        allowed[prefix] = uses | {prefix}
    # A part may use what the parts it uses may use: the table lists direct edges only.
    changed = True
    while changed:
        changed = False
        for prefix, uses in allowed.items():
            wider = set().union(*(allowed.get(u, {u}) for u in uses))
            if not wider <= uses:
                uses |= wider
                changed = True
    return allowed


def part_of(path, root):
    rel = path.relative_to(root).as_posix()
    best = None
    for prefix, folder in PARTS.items():
        if rel.startswith(folder + "/") and (best is None or len(folder) > len(PARTS[best])):
            best = prefix
    return best


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    allowed = read_table(root / "docs" / "architecture.md")
    missing = set(PARTS) - set(allowed)
    if missing:
        print(f"check_includes: docs/architecture.md has no row for {sorted(missing)}")
        return 1
    # orchestrator/main.cc wires api and core together: its row is `orchestrator/main.cc`.
    main_uses = {"api", "core", "common", "http", "store", "webhooks", "planner", "scheduler"}
    bad = []
    checked = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".cc", ".h") or "build" in path.relative_to(root).parts[:1]:
            continue
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("tests/", "bench/", "fuzz/", "web/node_modules/")):
            continue
        part = part_of(path, root)
        if rel == "orchestrator/main.cc":
            uses = main_uses
        elif part is None:
            continue
        else:
            uses = allowed[part]
        checked += 1
        for n, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            m = re.match(r'\s*#\s*include\s+"([a-z_]+)/', text)
            if m and m.group(1) in PARTS and m.group(1) not in uses:
                bad.append(f"{rel}:{n}: {part or 'slipwayd'} may not include \"{m.group(1)}/...\"")
    for b in bad:
        print(b)
    print(f"check_includes: {checked} files, {len(bad)} edges the table does not allow")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

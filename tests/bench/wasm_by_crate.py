#!/usr/bin/env python3
"""What the wasm is made of, for issue 16's first-load goals.

Reads twiggy's item list of a wasm that still has its function names
(`twiggy top -n 1000000 -f csv FILE.wasm`, see tests/bench/wasm_size.sh) and
prints the largest items, the code grouped by crate, and a few things that
cut across crates: every `BTreeMap` instantiation wherever it was
instantiated, everything serde_path_to_error wraps, every derived
`Deserialize` and `Serialize`.

A function is counted for the crate its name starts with; for a trait
method (`<T as Trait>::f`) that is the crate of the type `T`. Generic code is
named after where it is defined, not where it is used: `alloc` is mostly
`BTreeMap` instantiated for Warren's own types. Sizes are raw bytes of code
(gzip takes the wasm to about 30%, and repetitive code shrinks more).

    python3 tests/bench/wasm_by_crate.py ITEMS.csv [TOP]
"""
import csv
import re
import sys
from collections import Counter

# Names that cut across crates: (label, what a function name contains).
CROSS_CUTTING = [
    ("BTreeMap / BTreeSet instantiations", "collections::btree"),
    ("serde_path_to_error wrappers", "serde_path_to_error"),
    ("derived or written Deserialize impls", "Deserialize"),
    ("derived or written Serialize impls", "Serialize"),
    ("yew (its own code and instantiations)", "yew"),
]


def crate_of(name):
    """The crate a function is named after, or None for sections and data."""
    rest = re.sub(r"^[<&*\[( ]+", "", name)
    rest = re.sub(r"^((mut|const|dyn|impl) )+", "", rest)
    found = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::", rest)
    return found.group(1) if found else None


def strip_generic_arguments(name):
    """`<Vec<u8> as Clone>::clone::<X>` -> `<Vec as Clone>::clone`: generic
    arguments (after a name, or a turbofish) go, innermost first; a
    qualifier (`<T as Trait>`, `<T>::`) stays."""
    def replace(m):
        before = m.string[: m.start()]
        if before and (before[-1].isalnum() or before[-1] == "_" or before.endswith("::")):
            return ""
        return "{" + m.group(1) + "}"
    while True:
        stripped = re.sub(r"<([^<>]*)>", replace, name)
        if stripped == name:
            break
        name = stripped
    return name.replace("{", "<").replace("}", ">")


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        sys.exit(2)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    items = [(r["Name"], int(r["ShallowSize"])) for r in csv.DictReader(open(sys.argv[1]))]
    total = sum(size for _, size in items)
    names = sum(size for name, size in items if "subsection" in name or name.startswith("custom section"))
    data = sum(size for name, size in items if name.startswith("data segment"))
    code = [(n, s) for n, s in items if crate_of(n) is not None and "subsection" not in n]
    other = total - names - data - sum(s for _, s in code)

    kb = lambda b: f"{b / 1024:8.1f} KB"
    print(f"wasm {kb(total)}: name section {kb(names).strip()} (stripped by dev.sh build), "
          f"data {kb(data).strip()}, code named by crate {kb(sum(s for _, s in code)).strip()}, "
          f"other (imports, tables, glue) {kb(other).strip()}")
    print(f"\nlargest {top} functions")
    for name, size in sorted(code, key=lambda x: -x[1])[:top]:
        print(f"{kb(size)}  {name[:110]}")

    by_crate, count = Counter(), Counter()
    for name, size in code:
        by_crate[crate_of(name)] += size
        count[crate_of(name)] += 1
    print("\ncode by crate (functions)")
    for crate, size in by_crate.most_common(20):
        print(f"{kb(size)}  {crate} ({count[crate]})")

    print("\nacross crates")
    for label, needle in CROSS_CUTTING:
        size = sum(s for n, s in code if needle in n)
        print(f"{kb(size)}  {label}")

    # With v0 symbol names (wasm_size.sh --generics) a generic function's
    # copies differ only in their <…> arguments: strip them to count copies.
    generic, copies = Counter(), Counter()
    for name, size in code:
        legacy = re.search(r"::h[0-9a-f]{16}$", name)
        if legacy or "<" not in name or not re.search(r"\[[0-9a-f]{16}\]", name):
            continue
        base = re.sub(r"\[[0-9a-f]{16}\]", "", name)
        base = strip_generic_arguments(base)
        generic[base] += size
        copies[base] += 1
    # (A legacy build has a few v0 names too, from the prebuilt std: say
    # nothing unless most names are v0.)
    legacy_names = sum(1 for name, _ in code if re.search(r"::h[0-9a-f]{16}$", name))
    if generic and legacy_names * 2 < len(code):
        print("\ngeneric functions by their copies (v0 names)")
        for base, size in generic.most_common(top):
            print(f"{kb(size)}  {copies[base]:4d} copies  {base[:100]}")


if __name__ == "__main__":
    main()

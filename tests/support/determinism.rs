// Shared by tests/determinism.rs (native) and tests/web.rs (Chromium): the
// seeded runs whose event-log fingerprints are in tests/determinism.golden.

pub const SEEDS: &[u64] = &[1, 2, 3, 42, 2026];
pub const OPS: usize = 3_000;

/// The fingerprints of every seed, one line each: `seed events hash`.
pub fn current() -> String {
    SEEDS
        .iter()
        .map(|&seed| {
            let (events, hash) = warren::workload::fingerprint(seed, OPS);
            format!("{seed} {events} {hash:016x}\n")
        })
        .collect()
}

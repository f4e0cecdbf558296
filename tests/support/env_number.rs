//! The knobs of the randomised tests: how many cases to run and from which
//! seed, read from an environment variable (`WARREN_FUZZ_CASES=100000` for
//! a long run, `WARREN_FUZZ_SEED=…` to replay a failure), else a default.
//!
//! Include it with `#[path = "support/env_number.rs"] mod env_number;`.

/// `var` parsed as a number, else `default` (unset or not a number).
pub fn env_number<T: std::str::FromStr>(var: &str, default: T) -> T {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

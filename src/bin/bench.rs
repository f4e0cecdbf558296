//! The native half of `./dev.sh bench`: engine throughput, topic routing
//! cost (trie against a naive matcher) and memory per queued message.
//! Prints its rows and writes them as JSON (`--json FILE`) for the
//! browser half (tests/bench/browser.mjs) to merge into target/bench.json.
//!
//! Figures, never pass/fail: the goals are printed next to them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;
use warren::benchmark::{self, WORKLOADS};

/// Counts live heap bytes, to measure memory per queued message.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json_path = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let quick = args.iter().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    let started = Instant::now();
    let now = || started.elapsed().as_secs_f64() * 1000.0;

    println!(
        "native engine benchmarks ({})",
        if quick { "quick" } else { "full" }
    );
    let sizes = [200_000u64, 50_000, 50_000, 100_000];
    let mut throughput = Vec::new();
    for (workload, n) in WORKLOADS.iter().zip(sizes) {
        // One warm-up run, then the measured one.
        benchmark::throughput(workload, n / 20 / scale, &now);
        let t = benchmark::throughput(workload, n / scale, &now);
        println!(
            "  throughput  {:<32} {:>12.0} msg/s  ({} messages, {:.0} ms)",
            t.workload, t.per_second, t.messages, t.ms
        );
        throughput.push(t);
    }
    if args.iter().any(|a| a == "--throughput-only") {
        // For profiling the engine (`perf record target/release/bench --throughput-only`).
        return;
    }

    let mut routing = Vec::new();
    for bindings in [1_000usize, 10_000, 100_000] {
        let r = benchmark::routing_cost(bindings, 20_000 / scale as usize, &now);
        println!(
            "  topic route {:>7} bindings: trie {:>9.0} ns/publish, naive {:>11.0} ns/publish ({:.0}x)",
            r.bindings,
            r.trie_ns,
            r.naive_ns,
            r.naive_ns / r.trie_ns
        );
        routing.push(r);
    }

    let n: u64 = 1_000_000 / scale;
    let body = 16usize;
    let before = LIVE.load(Ordering::Relaxed);
    let broker = benchmark::fill_queue(n, body);
    let after = LIVE.load(Ordering::Relaxed);
    let ready = broker.queue_stats("backlog").map_or(0, |s| s.ready);
    let per_message = (after - before) as f64 / n as f64 - body as f64;
    println!("  memory      {ready} queued messages of {body} bytes: {per_message:.1} bytes each above the body");
    drop(broker);

    let report = serde_json::json!({
        "machine": machine(),
        "native": {
            "throughput": throughput,
            "routing": routing,
            "memory": { "messages": n, "body_bytes": body, "bytes_per_message_above_body": per_message },
        },
    });
    if let Some(path) = json_path {
        if let Err(e) = std::fs::write(
            &path,
            serde_json::to_string_pretty(&report).unwrap_or_default(),
        ) {
            eprintln!("could not write {path}: {e}");
            std::process::exit(1);
        }
    }
}

/// What the figures were measured on.
fn machine() -> serde_json::Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    serde_json::json!({ "cpu": cpu, "cores": cores, "os": std::env::consts::OS })
}

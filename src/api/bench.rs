//! The browser half of `./dev.sh bench`: the same engine workloads as the
//! native `bench` binary, timed with `performance.now()`, and IndexedDB
//! commits batched against one transaction per message.

use crate::benchmark::{self, WORKLOADS};
use crate::engine::durable::{Batch, DurableMessage, DurableOp};
use crate::engine::message::Properties;
use crate::store::indexeddb::IndexedDbStorage;
use crate::store::Storage;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Runs the engine workloads in wasm; returns JSON text
/// (`{"throughput": [...], "routing": [...]}`). `scale` divides the sizes
/// (1 = full, as natively).
#[wasm_bindgen(js_name = runEngineBenchmarks)]
pub fn run_engine_benchmarks(scale: u32) -> String {
    let scale = u64::from(scale.max(1));
    let clock = now;
    let sizes = [200_000u64, 50_000, 50_000, 100_000];
    let mut throughput = Vec::new();
    for (workload, n) in WORKLOADS.iter().zip(sizes) {
        benchmark::throughput(workload, n / 20 / scale, &clock);
        throughput.push(benchmark::throughput(workload, n / scale, &clock));
    }
    let routing: Vec<_> = [1_000usize, 10_000, 100_000]
        .iter()
        .map(|b| benchmark::routing_cost(*b, 20_000 / scale as usize, &clock))
        .collect();
    serde_json::json!({ "throughput": throughput, "routing": routing }).to_string()
}

fn persistent_message(seq: u64) -> DurableOp {
    DurableOp::PutMessage {
        queue: "bench".into(),
        message: DurableMessage {
            seq,
            id: seq,
            routing_key: "bench".into(),
            cc: Vec::new(),
            properties: Properties {
                delivery_mode: Some(2),
                ..Default::default()
            },
            body: b"a persistent message of some 40 bytes....".to_vec(),
            ..DurableMessage::default()
        },
    }
}

/// Commits `n` persistent messages to IndexedDB in one batch, then again
/// as one transaction each; resolves to JSON text with both times.
#[wasm_bindgen(js_name = benchIndexedDb)]
pub fn bench_indexed_db(n: u32) -> Promise {
    future_to_promise(async move {
        let fail = |e: crate::store::StoreError| JsValue::from(js_sys::Error::new(&e.to_string()));
        let (mut store, _) = IndexedDbStorage::open(
            "bench",
            "bench",
            crate::engine::Profile::RabbitMq3,
            1,
            crate::store::lock::LockMode::Try,
            std::rc::Rc::new(|_why: String| {}),
        )
        .await
        .map_err(fail)?;
        let declare = Batch {
            id: 0,
            ops: vec![DurableOp::PutQueue {
                name: "bench".into(),
                auto_delete: false,
                arguments: Default::default(),
            }],
        };
        store.clear().await.map_err(fail)?;
        store.commit(&declare).await.map_err(fail)?;
        let n = u64::from(n);
        let batch = Batch {
            id: 1,
            ops: (0..n).map(persistent_message).collect(),
        };
        let start = now();
        store.commit(&batch).await.map_err(fail)?;
        let batched_ms = now() - start;

        store.clear().await.map_err(fail)?;
        store.commit(&declare).await.map_err(fail)?;
        let start = now();
        for seq in 0..n {
            store
                .commit(&Batch {
                    id: seq + 2,
                    ops: vec![persistent_message(seq)],
                })
                .await
                .map_err(fail)?;
        }
        let single_ms = now() - start;
        let stored = store.load().await.map_err(fail)?.message_count();
        store.clear().await.map_err(fail)?;
        Ok(serde_json::json!({
            "messages": n, "batched_ms": batched_ms, "one_transaction_each_ms": single_ms,
            "ratio": single_ms / batched_ms.max(1e-3), "stored": stored,
        })
        .to_string()
        .into())
    })
}

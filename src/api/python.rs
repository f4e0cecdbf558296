//! `PythonHost`: a broker for `runPythonScripts` (`www/python.js`) whose
//! only clients are byte streams — Python processes running pika. The
//! script runner drives its virtual clock: it lets time pass only when every
//! Python process is waiting (for bytes or for a deadline), to the earliest
//! thing due, as warren-server's host does with the wall clock
//! (`server/host.rs`): after every input the broker does all the work it can
//! at that instant and the answers become bytes.

use crate::engine::{BrokerConfig, Profile};
use crate::sim::world::WireOp;
use crate::sim::Simulation;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct PythonHost {
    sim: Simulation,
}

#[wasm_bindgen]
impl PythonHost {
    /// A fresh broker behaving as `profile` (`rabbitmq-3` or `rabbitmq-4.3`).
    #[wasm_bindgen(constructor)]
    pub fn new(profile: &str) -> Result<PythonHost, JsError> {
        let profile = Profile::parse(profile).ok_or_else(|| {
            JsError::new(&format!(
                "unknown profile '{profile}' (rabbitmq-3 or rabbitmq-4.3)"
            ))
        })?;
        let config = BrokerConfig {
            profile,
            // As warren-server: a confirm as soon as the broker is idle.
            commit_interval_ms: 0,
            ..BrokerConfig::default()
        };
        Ok(PythonHost {
            sim: Simulation::new(config),
        })
    }

    /// Virtual time, ms.
    pub fn now(&self) -> f64 {
        self.sim.now() as f64
    }

    /// A client's socket connected (false: the id is taken). `process` is
    /// its script's name: the connection's default name.
    pub fn open(&mut self, id: u32, process: String) -> bool {
        let process = Some(process).filter(|p| !p.is_empty());
        self.input(id, &WireOp::Open { process })
    }

    /// Bytes a client wrote.
    pub fn write(&mut self, id: u32, bytes: &[u8]) {
        self.input(id, &WireOp::Data(bytes.to_vec()));
    }

    /// A client's socket closed (its process ended or was killed).
    pub fn close(&mut self, id: u32) {
        self.input(id, &WireOp::Close);
    }

    /// What client `id` has to read (empty if nothing, or unknown).
    pub fn take(&mut self, id: u32) -> Vec<u8> {
        self.sim
            .wire
            .take_output(id)
            .map(|(bytes, _)| bytes)
            .unwrap_or_default()
    }

    /// Whether the broker closed client `id`'s socket (after what it has to read).
    #[wasm_bindgen(js_name = isClosed)]
    pub fn is_closed(&self, id: u32) -> bool {
        self.sim.wire.is_closed(id)
    }

    /// When something is next due in the broker (a timer, a heartbeat), or -1.
    #[wasm_bindgen(js_name = nextWakeup)]
    pub fn next_wakeup(&self) -> f64 {
        if self.sim.broker.has_pending_work() {
            return self.now();
        }
        self.sim.next_activity_at().map_or(-1.0, |t| t as f64)
    }

    /// Lets virtual time run to `t` (ms), doing everything due on the way.
    #[wasm_bindgen(js_name = advanceTo)]
    pub fn advance_to(&mut self, t: f64) {
        let t = if t.is_finite() && t > 0.0 {
            t as u64
        } else {
            0
        };
        self.sim.run_until(t.max(self.sim.now()));
    }

    /// A graceful broker restart (clients get 320 CONNECTION_FORCED).
    pub fn restart(&mut self) {
        self.sim.restart_broker();
        self.settle();
    }

    /// A broker crash (sockets reset; what was not committed is lost).
    pub fn crash(&mut self) {
        self.sim.crash_broker();
        self.settle();
    }
}

impl PythonHost {
    fn input(&mut self, id: u32, op: &WireOp) -> bool {
        let ok = self.sim.wire_input(id, op).is_ok();
        self.settle();
        ok
    }

    /// Everything the broker can do at this instant, answers as bytes.
    fn settle(&mut self) {
        let now = self.sim.now();
        self.sim.run_until(now);
    }
}

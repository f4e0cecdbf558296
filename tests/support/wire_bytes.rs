//! A byte-stream client's writes into the simulation (`Simulation::wire_input`,
//! what pika in a terminal sends through `runPythonScripts`), encoded as a
//! client encodes them, for `tests/sim_wire.rs` and `tests/tutorials_python.rs`.
//!
//! Include it with `#[path = "support/wire_bytes.rs"] mod wire_bytes;`.

use warren::engine::method::Method;
use warren::sim::wire::WireId;
use warren::sim::world::WireOp;
use warren::sim::Simulation;
use warren::wire::{encode_client_method, encode_method_frame, WireMethod};

/// Client `id` writes `bytes`.
pub fn write(sim: &mut Simulation, id: WireId, bytes: Vec<u8>) {
    sim.wire_input(id, &WireOp::Data(bytes))
        .expect("a connected client's bytes are taken");
}

/// Client `id` writes one method frame on `channel`.
pub fn send(sim: &mut Simulation, id: WireId, channel: u16, method: &WireMethod) {
    let mut out = Vec::new();
    encode_method_frame(&mut out, channel, method).expect("encodes");
    write(sim, id, out);
}

/// Client `id` sends an engine method on channel 1, a publish with its
/// content frames (frame_max 131072, pika's).
pub fn call(sim: &mut Simulation, id: WireId, method: &Method) {
    let mut out = Vec::new();
    encode_client_method(&mut out, 1, method, 131_072).expect("encodes");
    write(sim, id, out);
}
